import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import { walletClientFor, type ChainClients } from "../chain/clients.ts"
import type { VotingConfig } from "../config.ts"
import type { EnrollmentStore } from "../enrollment/store.ts"
import type { PollRouteDependencies } from "../routes/polls.ts"
import { createSendLock, startVoteRelayer, type VoteRelayer } from "./relayer.ts"
import { createVotingService } from "./service.ts"
import type { VotingStore } from "./store.ts"

export interface StartVotingParameters {
  store: VotingStore
  /** Enrollment's record of the personhood groups (one per level). */
  groups: Pick<EnrollmentStore, "getGroup">
  clients: ChainClients
  deployment: HumanmarkDeployment
  config: VotingConfig
  log: (line: string) => void
}

export interface Voting {
  routes: PollRouteDependencies
  stop(): Promise<void>
}

/** Wires voting together: the service behind `/v1/polls`, and the relayer that sends queued ballots. */
export function startVoting({ store, groups, clients, deployment, config, log }: StartVotingParameters): Voting {
  const walletClient = config.privateKey ? walletClientFor(clients, config.privateKey) : undefined
  const lock = createSendLock()
  const humanPolls = deployment.contracts.humanPolls
  let relayer: VoteRelayer | undefined
  if (walletClient) {
    relayer = startVoteRelayer({ store, publicClient: clients.publicClient, walletClient, humanPolls, lock, log: (line) => log(`voting: ${line}`) })
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
  return {
    routes: { service, chainId: clients.chain.id, humanPolls, adminToken: config.adminToken, openPollCreation: config.openPollCreation },
    stop: async () => relayer?.stop(),
  }
}
