import type { Hex } from "viem"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import type { ChainClients } from "../chain/clients.ts"
import type { AnchorConfig } from "../config.ts"
import type { AnchorRouteDependencies, VerifyRouteDependencies } from "../routes/anchors.ts"
import type { AnchorStore } from "../storage/anchor-store.ts"
import { startAnchorBatcher, type AnchorBatcher } from "./batcher.ts"
import { verifyHumanAttestation } from "./human-attestation.ts"
import { createAnchorService } from "./service.ts"

export interface StartAnchoringParameters {
  store: AnchorStore
  clients: ChainClients
  deployment: HumanmarkDeployment
  config: AnchorConfig
  /** This server's own personhood groups (enrollment level "person"), accepted besides ANCHOR_HUMAN_GROUP_IDS. */
  personhoodGroupIds?: () => Promise<bigint[]>
  log: (line: string) => void
}

export interface Anchoring {
  routes: AnchorRouteDependencies & VerifyRouteDependencies
  stop(): Promise<void>
}

/** Wires content anchoring together: the service behind the routes, and the batch worker (when there is an account to pay). */
export function startAnchoring({ store, clients, deployment, config, personhoodGroupIds, log }: StartAnchoringParameters): Anchoring {
  const { publicClient, walletClient } = clients
  const contentAnchor = deployment.contracts.contentAnchor
  let batcher: AnchorBatcher | undefined
  if (walletClient) {
    batcher = startAnchorBatcher({ store, publicClient, walletClient, contentAnchor, config, log: (line) => log(`anchors: ${line}`) })
  } else {
    log("anchors: no DEPLOYER_PRIVATE_KEY, so no account to send anchors with; POST /v1/anchors answers 503")
  }
  const anchors = createAnchorService({ store, chainId: clients.chain.id, contentAnchor, onAccepted: (count) => batcher?.notifyAccepted(count) })
  return {
    routes: {
      anchors,
      anchoringAvailable: batcher !== undefined,
      verifyHumanAttestation: async (digest: Hex, attestation) => {
        const acceptedGroupIds = [...config.humanGroupIds, ...((await personhoodGroupIds?.()) ?? [])]
        return verifyHumanAttestation({ digest, attestation, publicClient, semaphore: deployment.contracts.semaphore, acceptedGroupIds })
      },
      verifyReceipt: ({ receipt, digest }) =>
        verifyReceipt({ receipt, ...(digest === undefined ? {} : { digest }), publicClient: publicClient as Parameters<typeof verifyReceipt>[0]["publicClient"] }),
    },
    stop: async () => {
      await batcher?.stop()
    },
  }
}
