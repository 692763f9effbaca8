// The voting relayer's worker: sends queued ballots from the server's account, so that voters'
// addresses never appear on chain. Like the anchor batcher, every signed transaction is written to
// the store before it is broadcast, so a crash at any point resumes without losing a ballot and
// without signing a second transaction for a ballot whose first one may still land.
import {
  BaseError,
  ExecutionRevertedError,
  WaitForTransactionReceiptTimeoutError,
  decodeErrorResult,
  encodeFunctionData,
  keccak256,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem"
import { humanPollsAbi } from "../../sdk/generated/abis.ts"
import { toSemaphoreProofStruct } from "../../sdk/semaphore/proof.ts"
import { broadcastRawTransaction, findReceipt, isTransactionKnown } from "../chain/raw-transactions.ts"
import type { StoredVote, VotingStore } from "./store.ts"

const RETRY_BASE_MS = 250
const RETRY_MAX_MS = 30_000

/** Serialises everything that takes a nonce from the voting account (poll creation and ballots). */
export interface SendLock {
  run<T>(task: () => Promise<T>): Promise<T>
}

export function createSendLock(): SendLock {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    run(task) {
      const result = tail.then(task)
      tail = result.catch(() => undefined)
      return result
    },
  }
}

export interface StartVoteRelayerParameters {
  store: VotingStore
  publicClient: PublicClient<Transport, Chain>
  /** The server account that pays for the ballots. */
  walletClient: WalletClient<Transport, Chain, Account>
  humanPolls: Address
  lock: SendLock
  log: (line: string) => void
  /** Ballots signed per step; the rest wait for the next one. Default 64. */
  batchMax?: number
  /** Pause between steps when nothing woke the worker. Default 1 s. */
  intervalMs?: number
  receiptTimeoutMs?: number
  stopTimeoutMs?: number
}

export interface VoteRelayer {
  /** A ballot was queued: send it now rather than at the next interval. */
  wake(): void
  /** Stops after the step in progress (or after `stopTimeoutMs`); the stored state is complete either way. */
  stop(): Promise<void>
}

/** The call a stored ballot becomes: castVote, castApprovalVote or castPairwiseVote. */
export function ballotCallData(vote: Pick<StoredVote, "pollId" | "ballot" | "reasonHash" | "proof">): Hex {
  const proof = toSemaphoreProofStruct(vote.proof)
  const { ballot, pollId } = vote
  if ("choice" in ballot) return encodeFunctionData({ abi: humanPollsAbi, functionName: "castVote", args: [pollId, BigInt(ballot.choice), vote.reasonHash, proof] })
  if ("choices" in ballot) {
    return encodeFunctionData({ abi: humanPollsAbi, functionName: "castApprovalVote", args: [pollId, ballot.choices.map(BigInt), vote.reasonHash, proof] })
  }
  return encodeFunctionData({
    abi: humanPollsAbi,
    functionName: "castPairwiseVote",
    args: [pollId, BigInt(ballot.first), BigInt(ballot.second), BigInt(ballot.winner), proof],
  })
}

/**
 * The custom error name a HumanPolls call reverted with (`NullifierAlreadyUsed`, `PollNotOpen`...),
 * `Reverted` for a revert without data, or undefined when the error is not a revert (a node that did
 * not answer): such errors are retried, never turned into a rejection.
 */
export function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const withData = error.walk((cause) => {
    const data = (cause as { data?: unknown }).data
    return typeof data === "string" && data.startsWith("0x") && data.length >= 10
  }) as { data?: Hex } | null
  if (withData?.data) {
    try {
      return decodeErrorResult({ abi: humanPollsAbi, data: withData.data }).errorName
    } catch {
      return "Reverted"
    }
  }
  return error.walk((cause) => cause instanceof ExecutionRevertedError) ? "Reverted" : undefined
}

/** Starts the worker; its first step resumes whatever a previous run left (signed or queued ballots). */
export function startVoteRelayer(parameters: StartVoteRelayerParameters): VoteRelayer {
  const { store, publicClient, walletClient, humanPolls, lock, log } = parameters
  const batchMax = parameters.batchMax ?? 64
  const intervalMs = parameters.intervalMs ?? 1_000
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 60_000
  const account = walletClient.account
  let stopped = false
  let woken = false
  let failures = 0
  let wake: (() => void) | undefined

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

  const broadcast = (raw: Hex) => broadcastRawTransaction(publicClient, raw)

  const recordReceipt = async (vote: StoredVote, receipt: TransactionReceipt) => {
    if (receipt.status === "success") {
      await store.recordIncluded(vote.id, { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber }, new Date())
      return
    }
    // Replay the call on the state the transaction saw to learn which rule refused it.
    const reason = await publicClient
      .call({ account, to: humanPolls, data: ballotCallData(vote), blockNumber: receipt.blockNumber - 1n })
      .then(() => "Reverted", (error: unknown) => revertErrorName(error) ?? "Reverted")
    await store.recordRejected(vote.id, reason, new Date())
    log(`vote ${vote.id} (poll ${vote.pollId}): transaction ${receipt.transactionHash} reverted (${reason})`)
  }

  const waitAndRecord = async (vote: StoredVote, hash: Hex) => {
    try {
      await recordReceipt(vote, await publicClient.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs }))
    } catch (error) {
      if (error instanceof WaitForTransactionReceiptTimeoutError) log(`vote ${vote.id}: transaction ${hash} not mined yet`)
      else throw error
    }
  }

  /** A ballot left submitted by a crash or a timeout: find out what became of its transaction. */
  const settle = async (vote: StoredVote) => {
    const { hash, raw } = vote.transaction!
    const receipt = await findReceipt(publicClient, hash)
    if (receipt) return recordReceipt(vote, receipt)
    if (!(await isTransactionKnown(publicClient, hash)) && !(await lock.run(() => broadcast(raw)))) {
      log(`vote ${vote.id}: its transaction never landed and its nonce is used; it will be signed again`)
      await store.returnToQueue(vote.id, new Date())
      return
    }
    await waitAndRecord(vote, hash)
  }

  /** queued -> submitted (signed, recorded, broadcast) or rejected (the call would revert: no gas spent). */
  const sendQueued = async (queued: StoredVote[]) => {
    const sent: { vote: StoredVote; hash: Hex }[] = []
    await lock.run(async () => {
      let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" })
      const fees = await publicClient.estimateFeesPerGas()
      for (const vote of queued) {
        const data = ballotCallData(vote)
        let gas: bigint
        try {
          gas = await publicClient.estimateGas({ account, to: humanPolls, data })
        } catch (error) {
          const reason = revertErrorName(error)
          if (reason === undefined) throw error
          await store.recordRejected(vote.id, reason, new Date())
          log(`vote ${vote.id} (poll ${vote.pollId}): refused by the contract (${reason}); not sent`)
          continue
        }
        const request = await walletClient.prepareTransactionRequest({
          to: humanPolls,
          data,
          nonce,
          // Proof verification costs vary a little with the inputs; a margin keeps a ballot from running out.
          gas: gas + gas / 5n,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        })
        const raw = await walletClient.signTransaction(request)
        const hash = keccak256(raw)
        await store.recordSigned(vote.id, { hash, nonce, raw }, new Date())
        if (!(await broadcast(raw))) {
          await store.returnToQueue(vote.id, new Date())
          throw new Error(`vote ${vote.id}: nonce ${nonce} was used by another transaction; signing again`)
        }
        sent.push({ vote, hash })
        nonce += 1
      }
    })
    await Promise.all(sent.map(({ vote, hash }) => waitAndRecord(vote, hash)))
  }

  /** One pass; true when more work is ready at once. */
  const step = async (): Promise<boolean> => {
    for (const vote of await store.listVotes("submitted", batchMax)) await settle(vote)
    const queued = await store.listVotes("queued", batchMax)
    if (queued.length > 0) await sendQueued(queued)
    return queued.length === batchMax
  }

  const loop = (async () => {
    while (!stopped) {
      let delay: number
      woken = false
      try {
        const moreReady = await step()
        if (failures > 0) log(`relaying resumed after ${failures} failed attempt(s)`)
        failures = 0
        delay = moreReady || woken ? 0 : intervalMs
      } catch (error) {
        failures += 1
        delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 20))
        log(`relaying failed (attempt ${failures}), retrying in ${delay} ms: ${error instanceof BaseError ? error.shortMessage : String(error)}`)
      }
      if (!stopped) await sleep(delay)
    }
  })()

  return {
    wake() {
      woken = true
      if (failures === 0) wake?.()
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
