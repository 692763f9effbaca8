import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { HumanmarkError } from "../errors.ts"
import manifest from "./artifact-manifest.json"

/** The pinned version of `@zk-kit/semaphore-artifacts`; its verification keys match the on-chain SemaphoreVerifier. */
export const semaphoreArtifactsVersion = manifest.version

export const MIN_TREE_DEPTH = 1
export const MAX_TREE_DEPTH = 32

/** Proving artifacts for one tree depth, as bytes that have passed the sha256 check. */
export interface SemaphoreArtifacts {
  depth: number
  wasm: Uint8Array
  zkey: Uint8Array
}

export type SemaphoreArtifactKind = "wasm" | "zkey" | "json"

export function semaphoreArtifactName(depth: number, kind: SemaphoreArtifactKind): string {
  assertTreeDepth(depth)
  return `semaphore-${depth}.${kind}`
}

export function assertTreeDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < MIN_TREE_DEPTH || depth > MAX_TREE_DEPTH) {
    throw new HumanmarkError("invalid_tree_depth", `Tree depth must be an integer from ${MIN_TREE_DEPTH} to ${MAX_TREE_DEPTH}, got ${depth}.`)
  }
}

/**
 * Throws unless `bytes` hash to the manifest's sha256 for `name`. Checking the very bytes handed to
 * the prover (not a file that could change in between) makes a swapped artifact fail loudly instead
 * of producing proofs no verifier accepts, or proofs under a key nobody audited.
 */
export function checkArtifactBytes(name: string, bytes: Uint8Array): void {
  const expected = (manifest.sha256 as Record<string, string>)[name]
  if (!expected) throw new HumanmarkError("unknown_artifact", `No checksum is pinned for artifact ${name}.`)
  const actual = bytesToHex(sha256(bytes))
  if (actual !== expected) {
    throw new HumanmarkError("artifact_checksum_mismatch", `Artifact ${name} does not match its pinned sha256.`, {
      details: `expected ${expected}, got ${actual}; reinstall @zk-kit/semaphore-artifacts@${semaphoreArtifactsVersion}`,
      status: 500,
    })
  }
}
