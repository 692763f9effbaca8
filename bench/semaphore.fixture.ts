// The group both sides of the Semaphore benchmark prove against, and how each side proves.
import { join } from "node:path"
import { Group, Identity, generateProof, type SemaphoreProof } from "@semaphore-protocol/core"
import { loadSemaphoreArtifacts, semaphoreArtifactsDir } from "../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof } from "../sdk/semaphore/proof.ts"

/** Proofs are made at this circuit depth whatever the group's size (forced through the depth parameter). */
export const DEPTH = 20
export const GROUP_SIZE = 8
export const MESSAGE = 42n

export type Side = "ours" | "core"

/** `bench-0`, `bench-1`...: the same deterministic identities in every process. */
export function benchIdentities(count: number = GROUP_SIZE): Identity[] {
  return Array.from({ length: count }, (_, i) => new Identity(`bench-${i}`))
}

export function benchGroup(identities: readonly Identity[]): Group {
  return new Group(identities.map((identity) => identity.commitment))
}

/** Paths of the official artifacts, for the baseline that hands snarkjs file paths as core documents. */
export function coreArtifactPaths(depth: number = DEPTH): { wasm: string; zkey: string } {
  const dir = semaphoreArtifactsDir()
  return { wasm: join(dir, `semaphore-${depth}.wasm`), zkey: join(dir, `semaphore-${depth}.zkey`) }
}

/** One proof by `side`: our SDK (checked artifact bytes, cached per process) or core called directly. */
export function prove(side: Side, identity: Identity, group: Group, scope: bigint): Promise<SemaphoreProof> {
  if (side === "ours") {
    return generateSemaphoreProof({ identity, group, message: MESSAGE, scope, loadArtifacts: loadSemaphoreArtifacts, depth: DEPTH })
  }
  return generateProof(identity, group, MESSAGE, scope, DEPTH, coreArtifactPaths())
}
