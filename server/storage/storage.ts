import type { HumanmarkDeployment } from "../../contracts/deploy.ts"
import type { EnrollmentStore } from "../enrollment/store.ts"
import type { VotingStore } from "../voting/store.ts"
import type { AnchorStore } from "./anchor-store.ts"

export interface StorageStatus {
  kind: "sqlite" | "postgres"
  /** Highest applied migration. */
  schemaVersion: number
}

/**
 * Everything the server keeps. Asynchronous even over SQLite so that a PostgreSQL implementation
 * (shared by several server instances) fits behind the same interface.
 */
export interface Storage {
  /** Answers only if the database can be read; throws otherwise. */
  status(): Promise<StorageStatus>
  getDeployment(chainId: number): Promise<HumanmarkDeployment | undefined>
  saveDeployment(deployment: HumanmarkDeployment): Promise<void>
  /** Submitted content digests and their on-chain batches. */
  anchors: AnchorStore
  /** Challenges, enrollments and the personhood groups' pending changes. */
  enrollments: EnrollmentStore
  /** Polls and the relayer's queue of votes. */
  voting: VotingStore
  close(): Promise<void>
}
