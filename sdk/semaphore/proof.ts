import { generateProof, verifyProof, type Group, type Identity, type MerkleProof, type SemaphoreProof } from "@semaphore-protocol/core"
import { HumanmarkError } from "../errors.ts"
import { assertTreeDepth, type SemaphoreArtifacts } from "./artifacts.ts"

export interface GenerateSemaphoreProofParameters {
  identity: Identity
  /** The group, or a Merkle proof of the identity's membership (what a server hands to provers). */
  group: Group | MerkleProof
  /** What the proof endorses, e.g. a vote choice; bound by the proof so a relayer cannot alter it. */
  message: bigint | string | number
  /** Where the proof counts; one nullifier per identity per scope. */
  scope: bigint | string | number
  /** Loads checked artifacts for a depth (`loadSemaphoreArtifacts` in Node, a fetching loader in browsers). */
  loadArtifacts: (depth: number) => Promise<SemaphoreArtifacts>
  /**
   * Circuit depth. Defaults to the group's current depth, as Semaphore does; a fixed larger depth
   * hides the group's size from the proof at a small cost in proving time.
   */
  depth?: number
}

/** Generates a Semaphore v4 proof with the official, checksum-verified artifacts. Never downloads. */
export async function generateSemaphoreProof(parameters: GenerateSemaphoreProofParameters): Promise<SemaphoreProof> {
  const { identity, group, message, scope, loadArtifacts } = parameters
  // Semaphore pads `siblings` in place up to the depth; a copy keeps the caller's proof reusable.
  const merkleProof = "siblings" in group ? { ...group, siblings: [...group.siblings] } : membershipProof(group, identity)
  const depth = parameters.depth ?? Math.max(merkleProof.siblings.length, 1)
  assertTreeDepth(depth)
  if (depth < merkleProof.siblings.length) {
    throw new HumanmarkError("invalid_tree_depth", `Depth ${depth} is smaller than the group's depth ${merkleProof.siblings.length}.`)
  }
  const artifacts = await loadArtifacts(depth)
  // snarkjs reads wasm/zkey from paths or from bytes; bytes let us prove with exactly what we checked.
  const snarkArtifacts = { wasm: artifacts.wasm, zkey: artifacts.zkey } as unknown as Parameters<typeof generateProof>[5]
  return generateProof(identity, merkleProof, message, scope, depth, snarkArtifacts)
}

/** Verifies a Semaphore proof off chain with the verification keys bundled in `@semaphore-protocol/proof`. */
export function verifySemaphoreProof(proof: SemaphoreProof): Promise<boolean> {
  return verifyProof(proof)
}

function membershipProof(group: Group, identity: Identity): MerkleProof {
  const index = group.indexOf(identity.commitment)
  if (index === -1) throw new HumanmarkError("not_a_member", "This identity is not a member of the group.")
  return group.generateMerkleProof(index)
}

/** The `ISemaphore.SemaphoreProof` struct that Semaphore-based contracts take, from an off-chain proof. */
export function toSemaphoreProofStruct(proof: SemaphoreProof) {
  return {
    merkleTreeDepth: BigInt(proof.merkleTreeDepth),
    merkleTreeRoot: BigInt(proof.merkleTreeRoot),
    nullifier: BigInt(proof.nullifier),
    message: BigInt(proof.message),
    scope: BigInt(proof.scope),
    points: proof.points.map((point) => BigInt(point)) as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint],
  }
}

/**
 * Stops the worker threads that snarkjs starts for the BN254 curve on the first proof or verification
 * and keeps for the life of the process. Call it when a command or test is done proving, so that the
 * process can exit; the next proof starts the workers again.
 */
export async function releaseProverThreads(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128
  await cached?.terminate()
}
