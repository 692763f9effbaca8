// SHA-256 Merkle tree over content digests, the structure a content anchor commits to on chain.
//
// Rules (a receipt made today must verify forever, so they never change within "humanmark-receipt/1"):
// - Domain separation, as in RFC 6962: `leaf = sha256(0x00 || digest)`, `node = sha256(0x01 || left || right)`.
//   A leaf hash can never be presented as an inner node (or the reverse), because the two are hashes of
//   differently prefixed inputs.
// - Odd levels: the last node of a level with an odd count has no sibling and is promoted unchanged to
//   the next level (the RFC 6962 / Certificate Transparency shape). Nothing is duplicated, so two
//   different batches can never share a root the way Bitcoin's duplicate-last-node rule allows
//   (CVE-2012-2459). A promoted node adds no step to the path, so paths can differ in length.
// - A batch of one digest has the leaf hash as its root and an empty path.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, hexToBytes, isHex, type Hex } from "viem"
import { HumanmarkError } from "../errors.ts"

/** Length in bytes of a SHA-256 content digest and of every hash in the tree. */
export const HASH_LENGTH = 32

/** Name of the leaf and node hashing rule, as written in receipts. */
export const MERKLE_HASH_RULE = "sha256-rfc6962" as const

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01

export interface MerkleTree {
  /** Number of digests (leaves) in the batch. */
  leafCount: number
  /**
   * Every level, leaves first: `levels[0]` holds the leaf hashes and the last level holds only the root.
   * Each level is its 32-byte hashes laid end to end (one buffer per level, not one per node), so a
   * tree of a million leaves stays a handful of allocations.
   */
  levels: Uint8Array[]
  /** The root, 0x-prefixed: what `ContentAnchor.anchor(bytes32)` takes. */
  root: Hex
}

/**
 * One step from a node towards the root. `side` says where the sibling `hash` sits:
 * "left" means parent = sha256(0x01 || hash || current), "right" means parent = sha256(0x01 || current || hash).
 */
export interface MerklePathStep {
  side: "left" | "right"
  hash: Hex
}

export type MerklePath = MerklePathStep[]

/** A content digest, as bytes or 0x-prefixed hex. */
export type DigestInput = Uint8Array | Hex

/** Reuses one hasher and one input buffer for every node, since a batch can hold millions of leaves. */
function createTreeHasher() {
  const pristine = sha256.create()
  const working = sha256.create()
  const leafInput = new Uint8Array(1 + HASH_LENGTH)
  const nodeInput = new Uint8Array(1 + 2 * HASH_LENGTH)
  leafInput[0] = LEAF_PREFIX
  nodeInput[0] = NODE_PREFIX
  const hashInto = (input: Uint8Array, out: Uint8Array, outOffset: number) => {
    // Copying the pristine state into the working hasher resets it without allocating a new one.
    pristine._cloneInto(working)
    working.update(input)
    working.digestInto(out.subarray(outOffset, outOffset + HASH_LENGTH))
  }
  return {
    /** Writes sha256(0x00 || digest) into out at outOffset; digest is 32 bytes. */
    leaf(digest: Uint8Array, out: Uint8Array, outOffset: number) {
      // A native copy: indexing callers' arrays byte by byte is ten times slower when they are Buffers.
      leafInput.set(digest, 1)
      hashInto(leafInput, out, outOffset)
    },
    /** Writes sha256(0x01 || left || right) into out at outOffset; left and right are 32 bytes each. */
    node(left: Uint8Array, leftOffset: number, right: Uint8Array, rightOffset: number, out: Uint8Array, outOffset: number) {
      for (let i = 0; i < HASH_LENGTH; i++) nodeInput[1 + i] = left[leftOffset + i]!
      for (let i = 0; i < HASH_LENGTH; i++) nodeInput[1 + HASH_LENGTH + i] = right[rightOffset + i]!
      hashInto(nodeInput, out, outOffset)
    },
  }
}

/** sha256(0x00 || digest): the hash a digest enters the tree as. */
export function merkleLeafHash(digest: DigestInput): Hex {
  const bytes = digestBytes(digest, "digest")
  const out = new Uint8Array(HASH_LENGTH)
  createTreeHasher().leaf(bytes, out, 0)
  return bytesToHex(out)
}

/** sha256(0x01 || left || right): the parent of two nodes. */
export function merkleNodeHash(left: DigestInput, right: DigestInput): Hex {
  const out = new Uint8Array(HASH_LENGTH)
  createTreeHasher().node(digestBytes(left, "left"), 0, digestBytes(right, "right"), 0, out, 0)
  return bytesToHex(out)
}

/**
 * Builds the tree of a batch of 32-byte SHA-256 content digests, in the order given (a digest's index
 * is its position here). Throws `HumanmarkError` `empty_batch` or `invalid_digest`.
 */
export function buildMerkleTree(digests: readonly Uint8Array<ArrayBufferLike>[]): MerkleTree {
  if (digests.length === 0) throw new HumanmarkError("empty_batch", "A Merkle tree needs at least one digest.")
  const hasher = createTreeHasher()
  let level = new Uint8Array(digests.length * HASH_LENGTH)
  for (let index = 0; index < digests.length; index++) {
    const digest = digests[index]!
    if (!(digest instanceof Uint8Array) || digest.length !== HASH_LENGTH) {
      throw new HumanmarkError("invalid_digest", `Digest ${index} is not ${HASH_LENGTH} bytes (a SHA-256 hash).`)
    }
    hasher.leaf(digest, level, index * HASH_LENGTH)
  }
  const levels = [level]
  let count = digests.length
  while (count > 1) {
    const parentCount = Math.ceil(count / 2)
    const parents = new Uint8Array(parentCount * HASH_LENGTH)
    const pairs = Math.floor(count / 2)
    for (let pair = 0; pair < pairs; pair++) {
      hasher.node(level, 2 * pair * HASH_LENGTH, level, (2 * pair + 1) * HASH_LENGTH, parents, pair * HASH_LENGTH)
    }
    // Odd count: the last node moves up unchanged (see the rules at the top of this file).
    if (count % 2 === 1) parents.set(level.subarray((count - 1) * HASH_LENGTH, count * HASH_LENGTH), pairs * HASH_LENGTH)
    levels.push(parents)
    level = parents
    count = parentCount
  }
  return { leafCount: digests.length, levels, root: bytesToHex(level.subarray(0, HASH_LENGTH)) }
}

/** The path from the leaf at `index` to the root, sibling by sibling. Throws `invalid_leaf_index`. */
export function merklePath(tree: MerkleTree, index: number): MerklePath {
  if (!Number.isInteger(index) || index < 0 || index >= tree.leafCount) {
    throw new HumanmarkError("invalid_leaf_index", `Leaf index ${index} is outside the batch of ${tree.leafCount}.`)
  }
  const path: MerklePath = []
  let position = index
  for (let depth = 0; depth < tree.levels.length - 1; depth++) {
    const level = tree.levels[depth]!
    const count = level.length / HASH_LENGTH
    const sibling = position % 2 === 0 ? position + 1 : position - 1
    // A promoted last node has no sibling at this level.
    if (sibling < count) {
      path.push({
        side: sibling < position ? "left" : "right",
        hash: bytesToHex(level.subarray(sibling * HASH_LENGTH, (sibling + 1) * HASH_LENGTH)),
      })
    }
    position = Math.floor(position / 2)
  }
  return path
}

/** The root that `digest` and `path` lead to. Compare it with the anchored root to verify inclusion. */
export function rootFromPath(digest: DigestInput, path: readonly MerklePathStep[]): Hex {
  const hasher = createTreeHasher()
  let current = new Uint8Array(HASH_LENGTH)
  hasher.leaf(digestBytes(digest, "digest"), current, 0)
  const next = new Uint8Array(HASH_LENGTH)
  for (const [step, { side, hash }] of path.entries()) {
    const sibling = digestBytes(hash, `path[${step}].hash`)
    if (side === "left") hasher.node(sibling, 0, current, 0, next, 0)
    else if (side === "right") hasher.node(current, 0, sibling, 0, next, 0)
    else throw new HumanmarkError("invalid_merkle_path", `path[${step}].side must be "left" or "right".`)
    current.set(next)
  }
  return bytesToHex(current)
}

/** Checks and converts a 32-byte hash given as bytes or 0x-prefixed hex. */
function digestBytes(value: DigestInput, what: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length === HASH_LENGTH) return value
  } else if (typeof value === "string" && isHex(value, { strict: true }) && value.length === 2 + 2 * HASH_LENGTH) {
    return hexToBytes(value)
  }
  throw new HumanmarkError("invalid_digest", `${what} must be ${HASH_LENGTH} bytes (0x followed by 64 hex digits).`)
}
