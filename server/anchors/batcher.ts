// The anchoring worker: turns waiting digests into batches, puts each batch's Merkle root on chain with
// `ContentAnchor.anchor(root)`, and follows the block until it is final. Every state change is written
// to the store before the next outside effect, so a crash at any point resumes without losing a digest
// and without signing a second transaction for a batch whose first one may still land.
import {
  BaseError,
  BlockNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
  hexToBytes,
  keccak256,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem"
import { buildMerkleTree } from "../../sdk/anchors/merkle.ts"
import { contentAnchorAbi } from "../../sdk/generated/abis.ts"
import type { AnchorConfig } from "../config.ts"
import type { AnchorBatch, AnchorStore } from "../storage/anchor-store.ts"
import { broadcastRawTransaction, findReceipt, isTransactionKnown as isTransactionKnownOnChain } from "../chain/raw-transactions.ts"

/** First retry delay; doubled after each consecutive failure up to `retryMaxMs`. */
const RETRY_BASE_MS = 250
/** Final batches re-checked at start: an embedded chain killed with SIGKILL can lose its last second. */
const FINAL_BATCHES_RECHECKED_AT_START = 64

export interface StartAnchorBatcherParameters {
  store: AnchorStore
  publicClient: PublicClient<Transport, Chain>
  /** The server account that pays for `anchor(root)`. */
  walletClient: WalletClient<Transport, Chain, Account>
  contentAnchor: Address
  config: Pick<AnchorConfig, "batchIntervalMs" | "batchMax" | "confirmations" | "retryMaxMs">
  log: (line: string) => void
  /** How long to wait for a sent transaction before checking on it again in a later step. */
  receiptTimeoutMs?: number
  /** How long `stop()` waits for a step in progress (which may be stuck on an unreachable node). */
  stopTimeoutMs?: number
}

export interface AnchorBatcher {
  /** Tells the worker that `count` more digests were stored; it starts at once when a full batch waits. */
  notifyAccepted(count: number): void
  /** Stops after the step in progress (or after `stopTimeoutMs`); the stored state is complete either way. */
  stop(): Promise<void>
}

/** Starts the worker; its first step resumes whatever a previous run left (built, sent or unconfirmed batches). */
export function startAnchorBatcher(parameters: StartAnchorBatcherParameters): AnchorBatcher {
  const { store, publicClient, walletClient, contentAnchor, config, log } = parameters
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 60_000
  let stopped = false
  let waiting = 0
  let failures = 0
  let wake: (() => void) | undefined
  let finalBatchesRechecked = false

  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      const timer = setTimeout(done, milliseconds)
      wake = done
    })

  const getReceipt = (hash: Hex) => findReceipt(publicClient, hash)
  const isTransactionKnown = (hash: Hex) => isTransactionKnownOnChain(publicClient, hash)
  const broadcast = (raw: Hex) => broadcastRawTransaction(publicClient, raw)

  /** Records where the batch landed; the root must be in an `Anchored` event of our contract. */
  const recordReceipt = async (batch: AnchorBatch, receipt: TransactionReceipt) => {
    if (receipt.status !== "success") {
      await store.returnToPending(batch.id, `transaction ${receipt.transactionHash} reverted`)
      throw new Error(`batch ${batch.id}: transaction ${receipt.transactionHash} reverted; it will be sent again`)
    }
    const anchored = parseEventLogs({ abi: contentAnchorAbi, eventName: "Anchored", logs: receipt.logs }).find(
      (event) => event.address.toLowerCase() === contentAnchor.toLowerCase() && event.args.root.toLowerCase() === batch.root,
    )
    if (!anchored) throw new Error(`batch ${batch.id}: transaction ${receipt.transactionHash} has no Anchored event for root ${batch.root}`)
    const block = await publicClient.getBlock({ blockHash: receipt.blockHash })
    await store.recordAnchored(batch.id, {
      number: receipt.blockNumber,
      hash: receipt.blockHash,
      logIndex: anchored.logIndex,
      anchoredAt: new Date(Number(block.timestamp) * 1000).toISOString(),
    })
    log(`batch ${batch.id}: anchored in block ${receipt.blockNumber} (tx ${receipt.transactionHash})`)
  }

  const waitAndRecord = async (batch: AnchorBatch, hash: Hex) => {
    try {
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs })
      await recordReceipt(batch, receipt)
    } catch (error) {
      // Not mined yet: the batch stays submitted and a later step looks again.
      if (error instanceof WaitForTransactionReceiptTimeoutError) log(`batch ${batch.id}: transaction ${hash} not mined yet`)
      else throw error
    }
  }

  /** pending -> submitted -> anchored. The signed transaction is stored before it is broadcast. */
  const send = async (batch: AnchorBatch) => {
    const request = await walletClient.prepareTransactionRequest({
      to: contentAnchor,
      data: encodeFunctionData({ abi: contentAnchorAbi, functionName: "anchor", args: [batch.root] }),
    })
    const raw = await walletClient.signTransaction(request)
    const hash = keccak256(raw)
    await store.recordTransaction(batch.id, { hash, nonce: request.nonce, raw })
    if (!(await broadcast(raw))) {
      await store.returnToPending(batch.id, `nonce ${request.nonce} was used by another transaction`)
      throw new Error(`batch ${batch.id}: nonce ${request.nonce} was used by another transaction; signing again`)
    }
    await waitAndRecord(batch, hash)
  }

  /** A batch left submitted (by a crash, a timeout or an unreachable node): find out what became of its transaction. */
  const settle = async (batch: AnchorBatch) => {
    const { hash, raw } = batch.transaction!
    const receipt = await getReceipt(hash)
    if (receipt) return recordReceipt(batch, receipt)
    if (!(await isTransactionKnown(hash))) {
      log(`batch ${batch.id}: transaction ${hash} is unknown to the node; broadcasting it again`)
      if (!(await broadcast(raw))) {
        await store.returnToPending(batch.id, "its transaction never landed and its nonce is used")
        log(`batch ${batch.id}: its nonce is used by another transaction; it will be signed again`)
        return
      }
    }
    await waitAndRecord(batch, hash)
  }

  /**
   * Follows anchored batches (and, once at start, recent final ones): final after enough confirmations;
   * back to pending when the block at their height is not theirs any more and their transaction is gone.
   * Returns true when a batch went back to pending.
   */
  const follow = async (batches: AnchorBatch[]): Promise<boolean> => {
    if (batches.length === 0) return false
    let returned = false
    const head = await publicClient.getBlockNumber({ cacheTime: 0 })
    // Nodes that know finality (every post-merge chain, L2s, anvil at head - 64) report a finalized
    // block; receipts say "final" only at or below it, as verifiers check. Others: confirmations only.
    const finalized = await publicClient.getBlock({ blockTag: "finalized" }).then(
      (block) => block.number,
      () => undefined,
    )
    for (const batch of batches) {
      const recorded = batch.block!
      const block = await publicClient.getBlock({ blockNumber: recorded.number }).catch((error: unknown) => {
        if (error instanceof BlockNotFoundError) return undefined
        throw error
      })
      if (block?.hash === recorded.hash) {
        const confirmations = head - recorded.number + 1n
        const isFinal = confirmations >= BigInt(config.confirmations) && (finalized === undefined || finalized >= recorded.number)
        if (batch.status === "anchored" && isFinal) {
          await store.markFinal(batch.id)
          log(`batch ${batch.id}: final (${confirmations} confirmations)`)
        }
        continue
      }
      const receipt = await getReceipt(batch.transaction!.hash)
      if (receipt?.status === "success") {
        log(`batch ${batch.id}: block ${recorded.number} was replaced; the transaction is now in block ${receipt.blockNumber}`)
        await recordReceipt(batch, receipt)
      } else if (await isTransactionKnown(batch.transaction!.hash)) {
        // Back in the mempool after the reorg: wait for it rather than sign a rival.
        log(`batch ${batch.id}: block ${recorded.number} was replaced; its transaction waits to be mined again`)
        await store.recordTransaction(batch.id, batch.transaction!)
      } else {
        log(`batch ${batch.id}: block ${recorded.number} was replaced and its transaction is gone; anchoring the root again`)
        await store.returnToPending(batch.id, `reorg: block ${recorded.number} (${recorded.hash}) is no longer on the chain`)
        returned = true
      }
    }
    return returned
  }

  /** One pass over everything there is to do. Returns true when more work is ready at once. */
  const step = async (): Promise<boolean> => {
    if (!finalBatchesRechecked) {
      await follow(await store.listBatches(["final"], { newestFirst: true, limit: FINAL_BATCHES_RECHECKED_AT_START }))
      finalBatchesRechecked = true
    }
    for (const batch of await store.listBatches(["submitted"])) await settle(batch)
    for (const batch of await store.listBatches(["pending"])) await send(batch)

    const { digests } = await store.listUnbatched(config.batchMax)
    if (digests.length > 0) {
      const started = performance.now()
      const tree = buildMerkleTree(digests.map((digest) => hexToBytes(digest)))
      const batch = await store.createBatch({ root: tree.root, digests, createdAt: new Date().toISOString() })
      waiting = Math.max(0, waiting - digests.length)
      log(`batch ${batch.id}: ${digests.length} digest(s), root ${tree.root} (built and stored in ${Math.round(performance.now() - started)} ms)`)
      await send(batch)
    }
    const returned = await follow(await store.listBatches(["anchored"]))
    return returned || digests.length === config.batchMax
  }

  const loop = (async () => {
    while (!stopped) {
      let delay: number
      try {
        const moreReady = await step()
        if (failures > 0) log(`anchoring resumed after ${failures} failed attempt(s)`)
        failures = 0
        delay = moreReady ? 0 : config.batchIntervalMs
      } catch (error) {
        failures++
        delay = Math.min(config.retryMaxMs, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 20))
        log(`anchoring failed (attempt ${failures}), retrying in ${delay} ms: ${describe(error)}`)
      }
      if (!stopped) await sleep(delay)
    }
  })()

  return {
    notifyAccepted(count) {
      waiting += count
      // During a backoff the chain is the bottleneck; more digests do not make it answer sooner.
      if (waiting >= config.batchMax && failures === 0) wake?.()
    },
    async stop() {
      stopped = true
      wake?.()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([loop, new Promise((resolve) => (timer = setTimeout(resolve, parameters.stopTimeoutMs ?? 5_000)))])
      clearTimeout(timer)
    },
  }
}

/** One line for the log: viem's short message (URLs already redacted by our transport), else the message. */
function describe(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage
  return error instanceof Error ? error.message : String(error)
}
