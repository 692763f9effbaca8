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
  type Abi,
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
import type { StoredVote, VoteTransaction, VotingStore } from "./store.ts"

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

/** What the worker needs to know about a stored ballot, whatever contract it goes to. */
export interface RelayedBallot {
  id: number
  transaction: VoteTransaction | undefined
}

/** One kind of relayed ballot (polls, governor): where it is stored and which call it becomes. */
export interface RelayQueue<Ballot extends RelayedBallot> {
  /** For log lines, e.g. "vote" or "governor vote". */
  name: string
  contract: Address
  /** Decodes the contract's custom errors. */
  abi: Abi
  callData(ballot: Ballot): Hex
  list(status: "queued" | "submitted", limit: number): Promise<Ballot[]>
  recordSigned(id: number, transaction: VoteTransaction, now: Date): Promise<void>
  returnToQueue(id: number, now: Date): Promise<void>
  recordIncluded(id: number, included: { txHash: Hex; blockNumber: bigint }, now: Date): Promise<void>
  recordRejected(id: number, errorCode: string, now: Date): Promise<void>
}

/** The poll ballots of a voting store, as a relay queue to HumanPolls. */
export function pollRelayQueue(store: VotingStore, humanPolls: Address): RelayQueue<StoredVote> {
  return {
    name: "vote",
    contract: humanPolls,
    abi: humanPollsAbi,
    callData: ballotCallData,
    list: (status, limit) => store.listVotes(status, limit),
    recordSigned: (id, transaction, now) => store.recordSigned(id, transaction, now),
    returnToQueue: (id, now) => store.returnToQueue(id, now),
    recordIncluded: (id, included, now) => store.recordIncluded(id, included, now),
    recordRejected: (id, errorCode, now) => store.recordRejected(id, errorCode, now),
  }
}

export interface StartVoteRelayerParameters {
  /** Every kind of ballot this account relays; one worker keeps their nonces in order. */
  queues: RelayQueue<RelayedBallot>[]
  publicClient: PublicClient<Transport, Chain>
  /** The server account that pays for the ballots. */
  walletClient: WalletClient<Transport, Chain, Account>
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
export function revertErrorName(error: unknown, abi: Abi = humanPollsAbi): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const withData = error.walk((cause) => {
    const data = (cause as { data?: unknown }).data
    return typeof data === "string" && data.startsWith("0x") && data.length >= 10
  }) as { data?: Hex } | null
  if (withData?.data) {
    try {
      return decodeErrorResult({ abi, data: withData.data }).errorName
    } catch {
      return "Reverted"
    }
  }
  return error.walk((cause) => cause instanceof ExecutionRevertedError) ? "Reverted" : undefined
}

/** Starts the worker; its first step resumes whatever a previous run left (signed or queued ballots). */
export function startVoteRelayer(parameters: StartVoteRelayerParameters): VoteRelayer {
  const { queues, publicClient, walletClient, lock, log } = parameters
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

  const recordReceipt = async (queue: RelayQueue<RelayedBallot>, ballot: RelayedBallot, receipt: TransactionReceipt) => {
    if (receipt.status === "success") {
      await queue.recordIncluded(ballot.id, { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber }, new Date())
      return
    }
    // Replay the call on the state the transaction saw to learn which rule refused it.
    const reason = await publicClient
      .call({ account, to: queue.contract, data: queue.callData(ballot), blockNumber: receipt.blockNumber - 1n })
      .then(() => "Reverted", (error: unknown) => revertErrorName(error, queue.abi) ?? "Reverted")
    await queue.recordRejected(ballot.id, reason, new Date())
    log(`${queue.name} ${ballot.id}: transaction ${receipt.transactionHash} reverted (${reason})`)
  }

  const waitAndRecord = async (queue: RelayQueue<RelayedBallot>, ballot: RelayedBallot, hash: Hex) => {
    try {
      await recordReceipt(queue, ballot, await publicClient.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs }))
    } catch (error) {
      if (error instanceof WaitForTransactionReceiptTimeoutError) log(`${queue.name} ${ballot.id}: transaction ${hash} not mined yet`)
      else throw error
    }
  }

  /** A ballot left submitted by a crash or a timeout: find out what became of its transaction. */
  const settle = async (queue: RelayQueue<RelayedBallot>, ballot: RelayedBallot) => {
    const { hash, raw } = ballot.transaction!
    const receipt = await findReceipt(publicClient, hash)
    if (receipt) return recordReceipt(queue, ballot, receipt)
    if (!(await isTransactionKnown(publicClient, hash)) && !(await lock.run(() => broadcast(raw)))) {
      log(`${queue.name} ${ballot.id}: its transaction never landed and its nonce is used; it will be signed again`)
      await queue.returnToQueue(ballot.id, new Date())
      return
    }
    await waitAndRecord(queue, ballot, hash)
  }

  /** queued -> submitted (signed, recorded, broadcast) or rejected (the call would revert: no gas spent). */
  const sendQueued = async (queue: RelayQueue<RelayedBallot>, queued: RelayedBallot[]) => {
    const sent: { ballot: RelayedBallot; hash: Hex }[] = []
    await lock.run(async () => {
      let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" })
      const fees = await publicClient.estimateFeesPerGas()
      for (const ballot of queued) {
        const data = queue.callData(ballot)
        let gas: bigint
        try {
          gas = await publicClient.estimateGas({ account, to: queue.contract, data })
        } catch (error) {
          const reason = revertErrorName(error, queue.abi)
          if (reason === undefined) throw error
          await queue.recordRejected(ballot.id, reason, new Date())
          log(`${queue.name} ${ballot.id}: refused by the contract (${reason}); not sent`)
          continue
        }
        const request = await walletClient.prepareTransactionRequest({
          to: queue.contract,
          data,
          nonce,
          // Proof verification costs vary a little with the inputs; a margin keeps a ballot from running out.
          gas: gas + gas / 5n,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        })
        const raw = await walletClient.signTransaction(request)
        const hash = keccak256(raw)
        await queue.recordSigned(ballot.id, { hash, nonce, raw }, new Date())
        if (!(await broadcast(raw))) {
          await queue.returnToQueue(ballot.id, new Date())
          throw new Error(`${queue.name} ${ballot.id}: nonce ${nonce} was used by another transaction; signing again`)
        }
        sent.push({ ballot, hash })
        nonce += 1
      }
    })
    await Promise.all(sent.map(({ ballot, hash }) => waitAndRecord(queue, ballot, hash)))
  }

  /** One pass; true when more work is ready at once. */
  const step = async (): Promise<boolean> => {
    let moreReady = false
    for (const queue of queues) {
      for (const ballot of await queue.list("submitted", batchMax)) await settle(queue, ballot)
      const queued = await queue.list("queued", batchMax)
      if (queued.length > 0) await sendQueued(queue, queued)
      moreReady ||= queued.length === batchMax
    }
    return moreReady
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
