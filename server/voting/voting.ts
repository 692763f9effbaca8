import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import { walletClientFor, type ChainClients } from "../chain/clients.ts"
import type { VotingConfig } from "../config.ts"
import type { EnrollmentStore } from "../enrollment/store.ts"
import type { PollRouteDependencies } from "../routes/polls.ts"
import { createGovernorService, governorRelayQueue } from "./governor.ts"
import type { GovernorRouteDependencies } from "./governor-routes.ts"
import { createSendLock, pollRelayQueue, startVoteRelayer, type RelayedBallot, type RelayQueue, type VoteRelayer } from "./relayer.ts"
import { createVotingService } from "./service.ts"
import type { VotingStore } from "./store.ts"

export interface StartVotingParameters {
  store: VotingStore
  /** Enrollment's record of the personhood groups (one per level). */
  groups: Pick<EnrollmentStore, "getGroup" | "listGroups">
  clients: ChainClients
  deployment: HumanmarkDeployment
  config: VotingConfig
  log: (line: string) => void
}

export interface Voting {
  routes: PollRouteDependencies
  governorRoutes: GovernorRouteDependencies
  stop(): Promise<void>
}

/** Wires voting together: the service behind `/v1/polls`, and the relayer that sends queued ballots. */
export function startVoting({ store, groups, clients, deployment, config, log }: StartVotingParameters): Voting {
  const walletClient = config.privateKey ? walletClientFor(clients, config.privateKey) : undefined
  const lock = createSendLock()
  const humanPolls = deployment.contracts.humanPolls
  let relayer: VoteRelayer | undefined
  if (walletClient) {
    const queues: RelayQueue<RelayedBallot>[] = [pollRelayQueue(store, humanPolls)]
    if (config.governorAddress) queues.push(governorRelayQueue(store.governor, config.governorAddress))
    relayer = startVoteRelayer({ queues, publicClient: clients.publicClient, walletClient, lock, log: (line) => log(`voting: ${line}`) })
  } else {
    log("voting: no VOTING_PRIVATE_KEY or DEPLOYER_PRIVATE_KEY: polls cannot be created and ballots are stored but not relayed")
  }
  const service = createVotingService({
    store,
    groups,
    publicClient: clients.publicClient,
    walletClient,
    humanPolls,
    semaphore: deployment.contracts.semaphore,
    lock,
    onQueued: () => relayer?.wake(),
  })
  const governor = config.governorAddress
    ? createGovernorService({
        store: store.governor,
        groups,
        publicClient: clients.publicClient,
        governor: config.governorAddress,
        semaphore: deployment.contracts.semaphore,
        onQueued: () => relayer?.wake(),
      })
    : undefined
  return {
    governorRoutes: { service: governor, chainId: clients.chain.id },
    routes: { service, chainId: clients.chain.id, humanPolls, adminToken: config.adminToken, openPollCreation: config.openPollCreation },
    stop: async () => relayer?.stop(),
  }
}
