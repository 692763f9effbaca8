import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { test } from "node:test"
import { bytesToHex, type Hex } from "viem"
import { isHumanmarkError } from "../errors.ts"
import { buildMerkleTree, merkleLeafHash, merkleNodeHash, merklePath, rootFromPath, type MerklePathStep } from "./merkle.ts"

// An independent reference built on node:crypto, written from the rules rather than from merkle.ts.
const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256")
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}
const referenceLeaf = (digest: Uint8Array) => sha256(Uint8Array.of(0), digest)
const referenceNode = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(1), left, right)
function referenceRoot(digests: Uint8Array[]): Hex {
  let level: Uint8Array[] = digests.map(referenceLeaf)
  while (level.length > 1) {
    const next: Uint8Array[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(referenceNode(level[i]!, level[i + 1]!))
    if (level.length % 2 === 1) next.push(level.at(-1)!)
    level = next
  }
  return bytesToHex(level[0]!)
}

const digestOf = (text: string) => sha256(new TextEncoder().encode(text))
const digests = (count: number) => Array.from({ length: count }, (_, i) => digestOf(`content ${i}`))

test("known vectors: one, two and three digests", () => {
  const [a, b, c] = digests(3) as [Uint8Array, Uint8Array, Uint8Array]
  // A batch of one: the root is the leaf hash.
  assert.equal(buildMerkleTree([a]).root, bytesToHex(sha256(Uint8Array.of(0), a)))
  assert.equal(buildMerkleTree([a, b]).root, bytesToHex(sha256(Uint8Array.of(1), referenceLeaf(a), referenceLeaf(b))))
  // Three: c is promoted unchanged, then paired with the parent of a and b.
  const ab = referenceNode(referenceLeaf(a), referenceLeaf(b))
  assert.equal(buildMerkleTree([a, b, c]).root, bytesToHex(referenceNode(ab, referenceLeaf(c))))
  assert.equal(merkleLeafHash(a), bytesToHex(referenceLeaf(a)))
  assert.equal(merkleNodeHash(a, b), bytesToHex(referenceNode(a, b)))
})

test("fixed vectors stay fixed (receipts made today must verify forever)", () => {
  // Computed once with Python's hashlib from the rules; sha256("") as the only digest, then five times.
  const empty = sha256(new Uint8Array())
  assert.equal(buildMerkleTree([empty]).root, "0x4e59bf27372b1304bc0b137d1be9d566ad58b154b6a6b5778af7f414b1d4b84c")
  assert.equal(buildMerkleTree(Array(5).fill(empty)).root, "0x38955e69c8db8963b3513c17631aebcf224c9c77017992dfe35a6dbba54b60a8")
})

test("every size from 1 to 17: the root matches the reference and every path leads to it", () => {
  for (let size = 1; size <= 17; size++) {
    const batch = digests(size)
    const tree = buildMerkleTree(batch)
    assert.equal(tree.root, referenceRoot(batch), `root of ${size}`)
    assert.equal(tree.leafCount, size)
    assert.equal(tree.levels.at(-1)!.length, 32)
    for (let index = 0; index < size; index++) {
      const path = merklePath(tree, index)
      assert.ok(path.length <= Math.ceil(Math.log2(size)), `path length of ${index}/${size}`)
      assert.equal(rootFromPath(batch[index]!, path), tree.root, `path of ${index}/${size}`)
      assert.equal(rootFromPath(bytesToHex(batch[index]!), path), tree.root)
    }
  }
})

test("paths carry sides: a swapped side or another digest leads elsewhere", () => {
  const batch = digests(6)
  const tree = buildMerkleTree(batch)
  const path = merklePath(tree, 4)
  // Leaf 4 of 6 pairs with 5 (right), then is promoted, then pairs with the left subtree.
  assert.deepEqual(path.map((step) => step.side), ["right", "left"])
  const swapped: MerklePathStep[] = path.map((step, i) => (i === 0 ? { ...step, side: "left" } : step))
  assert.notEqual(rootFromPath(batch[4]!, swapped), tree.root)
  assert.notEqual(rootFromPath(batch[3]!, path), tree.root)
})

test("domain separation: an inner node cannot be passed off as a leaf", () => {
  const batch = digests(4)
  const tree = buildMerkleTree(batch)
  // Without prefixes, presenting the parent of leaves 0 and 1 as a "digest" with the upper path would
  // reproduce the root. With them it must not.
  const parentOfFirstPair = bytesToHex(tree.levels[1]!.subarray(0, 32))
  const upperPath = merklePath(tree, 0).slice(1)
  assert.notEqual(rootFromPath(parentOfFirstPair, upperPath), tree.root)
  // And a tree whose leaves are the two children's concatenation halves differs from the original.
  const level0 = tree.levels[0]!
  assert.notEqual(buildMerkleTree([level0.subarray(0, 32), level0.subarray(32, 64)]).root, buildMerkleTree(batch.slice(0, 2)).root)
})

test("no duplicate-leaf ambiguity: [a, b, c] and [a, b, c, c] have different roots", () => {
  const [a, b, c] = digests(3) as [Uint8Array, Uint8Array, Uint8Array]
  assert.notEqual(buildMerkleTree([a, b, c]).root, buildMerkleTree([a, b, c, c]).root)
})

test("large random batch matches the reference", () => {
  const batch = Array.from({ length: 1000 }, () => new Uint8Array(randomBytes(32)))
  const tree = buildMerkleTree(batch)
  assert.equal(tree.root, referenceRoot(batch))
  assert.equal(rootFromPath(batch[999]!, merklePath(tree, 999)), tree.root)
  assert.equal(rootFromPath(batch[512]!, merklePath(tree, 512)), tree.root)
})

test("bad input is refused with typed errors", () => {
  const code = (fn: () => unknown) => {
    try {
      fn()
    } catch (error) {
      assert.ok(isHumanmarkError(error))
      return error.code
    }
    return undefined
  }
  assert.equal(code(() => buildMerkleTree([])), "empty_batch")
  assert.equal(code(() => buildMerkleTree([new Uint8Array(31)])), "invalid_digest")
  const tree = buildMerkleTree(digests(3))
  assert.equal(code(() => merklePath(tree, 3)), "invalid_leaf_index")
  assert.equal(code(() => merklePath(tree, -1)), "invalid_leaf_index")
  assert.equal(code(() => rootFromPath("0x1234", [])), "invalid_digest")
  assert.equal(code(() => rootFromPath(digests(1)[0]!, [{ side: "up" as "left", hash: bytesToHex(digests(1)[0]!) }])), "invalid_merkle_path")
})
