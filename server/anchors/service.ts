import { hexToBytes, type Address, type Hex } from "viem"
import { buildMerkleTree, merklePath, type MerkleTree } from "../../sdk/anchors/merkle.ts"
import { createAnchoredReceipt, createPendingReceipt, type HumanAttestation, type Receipt } from "../../sdk/anchors/receipt.ts"
import type { AnchorBatch, AnchorStore, StoredAnchorDigest } from "../storage/anchor-store.ts"

export interface AnchorSubmission {
  /** Lowercase 0x-prefixed SHA-256, already validated. */
  digest: Hex
  humanAttestation?: HumanAttestation | undefined
  c2pa?: Record<string, unknown> | undefined
}

export interface CreateAnchorServiceParameters {
  store: AnchorStore
  chainId: number
  contentAnchor: Address
  /** Called after digests were stored durably, so that the batcher can start early when enough wait. */
  onAccepted?: (count: number) => void
}

export interface AnchorService {
  /** Stores the digests durably, then returns one receipt per input (the stored one for a digest seen before). */
  submit(submissions: readonly AnchorSubmission[]): Promise<Receipt[]>
  /** The current receipt of a digest, or undefined when it was never submitted. */
  getReceipt(digest: Hex): Promise<Receipt | undefined>
}

/** Recent batch trees: rebuilding a 10,000-leaf tree for every receipt lookup would cost milliseconds each. */
const TREE_CACHE_SIZE = 8

/** Turns stored digests and batches into receipts. Knows nothing about HTTP. */
export function createAnchorService({ store, chainId, contentAnchor, onAccepted }: CreateAnchorServiceParameters): AnchorService {
  const trees = new Map<number, Promise<MerkleTree>>()

  const treeOf = (batch: AnchorBatch): Promise<MerkleTree> => {
    let tree = trees.get(batch.id)
    if (tree) {
      trees.delete(batch.id)
    } else {
      // A batch's digests and their order never change, so its tree never goes stale.
      tree = store.getBatchDigests(batch.id).then((digests) => buildMerkleTree(digests.map((digest) => hexToBytes(digest))))
      tree.catch(() => trees.delete(batch.id))
    }
    trees.set(batch.id, tree)
    while (trees.size > TREE_CACHE_SIZE) trees.delete(trees.keys().next().value!)
    return tree
  }

  const receiptOf = async (stored: StoredAnchorDigest, batchLookup: (id: number) => Promise<AnchorBatch | undefined>): Promise<Receipt> => {
    const common = {
      digest: stored.digest,
      submittedAt: stored.submittedAt,
      ...(stored.humanAttestation === undefined ? {} : { humanAttestation: stored.humanAttestation as HumanAttestation }),
      ...(stored.c2pa === undefined ? {} : { c2pa: stored.c2pa }),
    }
    if (stored.batchId === undefined) return createPendingReceipt(common)
    const batch = (await batchLookup(stored.batchId))!
    const tree = await treeOf(batch)
    const merkle = { path: merklePath(tree, stored.leafIndex!), root: batch.root, leafIndex: stored.leafIndex! }
    if ((batch.status !== "anchored" && batch.status !== "final") || !batch.transaction || !batch.block) {
      return createPendingReceipt({ ...common, merkle })
    }
    return createAnchoredReceipt({
      ...common,
      status: batch.status,
      merkle,
      anchor: {
        chainId,
        contract: contentAnchor,
        txHash: batch.transaction.hash,
        blockNumber: batch.block.number,
        blockHash: batch.block.hash,
        logIndex: batch.block.logIndex,
        anchoredAt: batch.block.anchoredAt,
      },
    })
  }

  return {
    async submit(submissions) {
      const stored = await store.addDigests(submissions, new Date().toISOString())
      onAccepted?.(submissions.length)
      // One batch lookup per batch, not per digest, when a resubmission spans anchored batches.
      const lookups = new Map<number, Promise<AnchorBatch | undefined>>()
      const lookup = (id: number) => {
        let batch = lookups.get(id)
        if (!batch) lookups.set(id, (batch = store.getBatch(id)))
        return batch
      }
      return Promise.all(stored.map((row) => receiptOf(row, lookup)))
    },
    async getReceipt(digest) {
      const stored = await store.getDigest(digest)
      return stored && receiptOf(stored, (id) => store.getBatch(id))
    },
  }
}
