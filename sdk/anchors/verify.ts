// Verifies a content receipt: offline as far as the Merkle root, then one round of RPC calls (sent
// together) for what only the chain can say: the anchoring transaction, its log, its block and time.
import {
  BaseError,
  BlockNotFoundError,
  createPublicClient,
  decodeEventLog,
  http,
  TransactionReceiptNotFoundError,
  type Address,
  type Hex,
  type PublicClient,
} from "viem"
import type { SemaphoreProof } from "@semaphore-protocol/core"
import { HumanmarkError, redactUrl } from "../errors.ts"
import { contentAnchorAbi } from "../generated/abis.ts"
import { digestOf, normalizeDigest } from "./digest.ts"
import { rootFromPath } from "./merkle.ts"
import { chainIdOf, parseReceipt, type AnchoredReceipt, type HumanAttestation, type Receipt } from "./receipt.ts"

export type CheckStatus = "passed" | "failed" | "skipped"

export interface CheckResult {
  status: CheckStatus
  /** A sentence saying what was compared, or why the check did not run. */
  reason: string
}

export interface VerifyReceiptChecks {
  /** The content (bytes or digest given by the caller) hashes to the receipt's digest. */
  digest: CheckResult
  /** The receipt's digest and path lead to the receipt's root (offline). */
  merklePath: CheckResult
  /** The RPC endpoint serves the receipt's chain. */
  chain: CheckResult
  /** The transaction exists in the receipt's block, succeeded, and was sent to the receipt's contract. */
  transaction: CheckResult
  /** The log at the receipt's log index is the contract's `Anchored` event for the receipt's root. */
  log: CheckResult
  /** The block exists with the receipt's number, and its time is the receipt's `anchoredAt`. */
  block: CheckResult
  /** The block has at least `minConfirmations` blocks on top (itself included), and is final if the receipt says so. */
  confirmations: CheckResult
  /** The Semaphore proof (when present) is valid and its message is the digest. */
  humanAttestation: CheckResult
}

export interface VerifyReceiptParameters {
  /** The receipt: parsed JSON or a JSON string. Malformed receipts throw `invalid_receipt`. */
  receipt: unknown
  /** The content itself; its SHA-256 must be the receipt's digest. */
  bytes?: Uint8Array
  /** Or the content's digest (0x + 64 hex digits), e.g. from `sha256File`. */
  digest?: string
  /** JSON-RPC endpoint of the receipt's chain. Give this or `publicClient`; with neither, chain checks are skipped. */
  rpcUrl?: string
  publicClient?: PublicClient
  /** Blocks required on top of the anchoring block, itself included. Defaults to 1. */
  minConfirmations?: number
}

export interface VerifyReceiptResult {
  /** True when the receipt is anchored and every check that ran passed; skipped content or chain checks make it false. */
  valid: boolean
  /** The checks, each passed, failed or skipped with a reason. */
  checks: VerifyReceiptChecks
  /** The receipt as parsed (hashes lowercased, contract checksummed). */
  receipt: Receipt
  digest: Hex
  root: Hex | undefined
  /** CAIP-2 chain id from the receipt. */
  chain: string | undefined
  contract: Address | undefined
  /** Time of the anchoring block as the chain reports it (the receipt's claim when the chain was not asked). */
  anchoredAt: string | undefined
  /** Blocks on top of the anchoring block, itself included, at verification time. */
  confirmations: number | undefined
  /** Whether the anchoring block is at or below the chain's `finalized` block; undefined when not asked. */
  finalized: boolean | undefined
  /** Who sent the anchoring transaction, from the `Anchored` log. */
  submitter: Address | undefined
}

export type VerifyReceiptErrorType = HumanmarkError

const passed = (reason: string): CheckResult => ({ status: "passed", reason })
const failed = (reason: string): CheckResult => ({ status: "failed", reason })
const skipped = (reason: string): CheckResult => ({ status: "skipped", reason })

/**
 * Checks a receipt against the content and the chain and says what was checked. Throws `HumanmarkError`
 * only for bad input (`invalid_receipt`, `invalid_digest`, `invalid_parameters`) or an unreachable
 * endpoint (`chain_unreachable`); a receipt that does not hold comes back with `valid: false`.
 */
export async function verifyReceipt(parameters: VerifyReceiptParameters): Promise<VerifyReceiptResult> {
  const receipt = parseReceipt(parameters.receipt)
  const minConfirmations = parameters.minConfirmations ?? 1
  if (!Number.isInteger(minConfirmations) || minConfirmations < 1) {
    throw new HumanmarkError("invalid_parameters", "minConfirmations must be a whole number of blocks, at least 1.")
  }
  if (parameters.bytes !== undefined && parameters.digest !== undefined) {
    throw new HumanmarkError("invalid_parameters", "Give the content's bytes or its digest, not both.")
  }

  const checks: VerifyReceiptChecks = {
    digest: checkDigest(receipt, parameters),
    merklePath: receipt.merkle
      ? rootFromPath(receipt.digest, receipt.merkle.path) === receipt.merkle.root
        ? passed(`The digest and its ${receipt.merkle.path.length}-step path lead to root ${receipt.merkle.root}.`)
        : failed(`The digest and its path lead to ${rootFromPath(receipt.digest, receipt.merkle.path)}, not to the receipt's root ${receipt.merkle.root}.`)
      : skipped("The receipt is pending and not in a batch yet."),
    chain: skipped(""),
    transaction: skipped(""),
    log: skipped(""),
    block: skipped(""),
    confirmations: skipped(""),
    humanAttestation: await checkHumanAttestation(receipt.humanAttestation, receipt.digest),
  }
  const result: VerifyReceiptResult = {
    valid: false,
    checks,
    receipt,
    digest: receipt.digest,
    root: receipt.merkle?.root,
    chain: receipt.anchor?.chain,
    contract: receipt.anchor?.contract,
    anchoredAt: receipt.anchor?.anchoredAt,
    confirmations: undefined,
    finalized: undefined,
    submitter: undefined,
  }

  const onChain = ["chain", "transaction", "log", "block", "confirmations"] as const
  if (receipt.status === "pending") {
    for (const name of onChain) checks[name] = skipped("The receipt is pending: it carries no anchor yet.")
  } else if (!parameters.publicClient && !parameters.rpcUrl) {
    for (const name of onChain) checks[name] = skipped("No RPC endpoint was given, so the chain was not asked.")
  } else {
    await checkOnChain({ receipt, result, minConfirmations, publicClient: parameters.publicClient, rpcUrl: parameters.rpcUrl })
  }

  const all = Object.values(checks)
  result.valid =
    receipt.status !== "pending" &&
    !all.some((check) => check.status === "failed") &&
    [checks.digest, checks.merklePath, ...onChain.map((name) => checks[name])].every((check) => check.status === "passed")
  return result
}

function checkDigest(receipt: Receipt, { bytes, digest }: VerifyReceiptParameters): CheckResult {
  const given = bytes !== undefined ? digestOf(bytes) : digest !== undefined ? normalizeDigest(digest) : undefined
  if (given === undefined) return skipped("No content or digest was given; only the receipt's own digest was checked.")
  const what = bytes !== undefined ? "The content's SHA-256" : "The given digest"
  return given === receipt.digest ? passed(`${what} is the receipt's digest.`) : failed(`${what} is ${given}, not the receipt's digest ${receipt.digest}.`)
}

async function checkHumanAttestation(attestation: HumanAttestation | undefined, digest: Hex): Promise<CheckResult> {
  if (!attestation) return skipped("The receipt carries no human attestation.")
  if (BigInt(attestation.message) !== BigInt(digest)) {
    return failed("The Semaphore proof's message is not the receipt's digest, so it vouches for something else.")
  }
  const { groupId, ...proof } = attestation
  // Loaded only when needed: proof verification pulls in snarkjs, heavy for browsers that never use it.
  const { verifySemaphoreProof } = await import("../semaphore/proof.ts")
  let valid: boolean
  try {
    // The schema checked the shape: eight decimal points, decimal fields.
    valid = await verifySemaphoreProof(proof as SemaphoreProof)
  } catch (cause) {
    return failed(`The Semaphore proof could not be checked: ${cause instanceof Error ? cause.message : String(cause)}.`)
  }
  return valid
    ? passed(
        `A valid Semaphore proof for group ${groupId} (tree root ${proof.merkleTreeRoot}) has the digest as its message. ` +
          "Whether that root belongs to the group is recorded by the group's Semaphore contract, not checked here.",
      )
    : failed("The Semaphore proof does not verify.")
}

interface CheckOnChainParameters {
  receipt: AnchoredReceipt
  result: VerifyReceiptResult
  minConfirmations: number
  publicClient: PublicClient | undefined
  rpcUrl: string | undefined
}

async function checkOnChain({ receipt, result, minConfirmations, publicClient, rpcUrl }: CheckOnChainParameters): Promise<void> {
  const { checks } = result
  const anchor = receipt.anchor
  const root = receipt.merkle.root
  // Batched over HTTP: the calls below leave as one request.
  const client = publicClient ?? createPublicClient({ transport: http(rpcUrl, { batch: true, retryCount: 1 }) })
  const orNull = <T>(promise: Promise<T>, notFound: new (...args: never[]) => Error) =>
    promise.catch((error: unknown) => {
      if (error instanceof notFound || (error instanceof BaseError && error.walk((cause) => cause instanceof notFound))) return null
      throw error
    })

  let chainId: number
  let transactionReceipt: Awaited<ReturnType<PublicClient["getTransactionReceipt"]>> | null
  let block: Awaited<ReturnType<PublicClient["getBlock"]>> | null
  let head: bigint
  let finalized: bigint | null | undefined
  try {
    ;[chainId, transactionReceipt, block, head, finalized] = await Promise.all([
      client.getChainId(),
      orNull(client.getTransactionReceipt({ hash: anchor.txHash }), TransactionReceiptNotFoundError),
      orNull(client.getBlock({ blockHash: anchor.blockHash }), BlockNotFoundError),
      client.getBlockNumber({ cacheTime: 0 }),
      receipt.status === "final"
        ? client.getBlock({ blockTag: "finalized" }).then(
            (finalizedBlock) => finalizedBlock.number,
            () => null,
          )
        : Promise.resolve(undefined),
    ])
  } catch (cause) {
    const where = rpcUrl ? ` at ${redactUrl(rpcUrl)}` : ""
    throw new HumanmarkError("chain_unreachable", `The EVM node${where} did not answer the verification calls.`, { status: 503, cause })
  }

  const expectedChainId = chainIdOf(anchor)
  if (chainId !== expectedChainId) {
    checks.chain = failed(`The RPC endpoint serves chain eip155:${chainId}, but the receipt is for ${anchor.chain}.`)
    for (const name of ["transaction", "log", "block", "confirmations"] as const) checks[name] = skipped("The RPC endpoint serves another chain.")
    return
  }
  checks.chain = passed(`The RPC endpoint serves ${anchor.chain}.`)

  // Transaction: a node returns receipts only for canonical transactions, so its block hash settles reorgs.
  if (!transactionReceipt) {
    checks.transaction = failed(`Transaction ${anchor.txHash} is not on ${anchor.chain} (never sent, or dropped by a reorg).`)
    checks.log = skipped("There is no transaction to read the log from.")
  } else {
    const problems: string[] = []
    if (transactionReceipt.blockHash !== anchor.blockHash || transactionReceipt.blockNumber !== BigInt(anchor.blockNumber)) {
      problems.push(
        `it is in block ${transactionReceipt.blockNumber} (${transactionReceipt.blockHash}), not in the receipt's block ${anchor.blockNumber} (${anchor.blockHash})`,
      )
    }
    if (transactionReceipt.status !== "success") problems.push("it reverted")
    if (transactionReceipt.to?.toLowerCase() !== anchor.contract.toLowerCase()) {
      problems.push(`it was sent to ${transactionReceipt.to ?? "no address (a deployment)"}, not to the receipt's contract ${anchor.contract}`)
    }
    checks.transaction =
      problems.length === 0
        ? passed(`Transaction ${anchor.txHash} succeeded in block ${anchor.blockNumber} and was sent to ${anchor.contract}.`)
        : failed(`Transaction ${anchor.txHash}: ${problems.join("; ")}.`)
    checks.log = checkLog(transactionReceipt.logs, anchor, root, result)
  }

  if (!block) {
    checks.block = failed(`Block ${anchor.blockHash} is not known to the RPC endpoint.`)
  } else {
    const anchoredAt = new Date(Number(block.timestamp) * 1000).toISOString()
    result.anchoredAt = anchoredAt
    if (block.number !== BigInt(anchor.blockNumber)) {
      checks.block = failed(`Block ${anchor.blockHash} has number ${block.number}, not ${anchor.blockNumber}.`)
    } else if (Date.parse(anchoredAt) !== Date.parse(anchor.anchoredAt)) {
      checks.block = failed(`Block ${anchor.blockNumber} was made at ${anchoredAt}, not at the receipt's ${anchor.anchoredAt}.`)
    } else {
      checks.block = passed(`Block ${anchor.blockNumber} (${anchor.blockHash}) was made at ${anchoredAt}.`)
    }
  }

  const confirmations = head >= BigInt(anchor.blockNumber) ? Number(head - BigInt(anchor.blockNumber)) + 1 : 0
  result.confirmations = confirmations
  if (finalized !== undefined) result.finalized = finalized !== null && finalized >= BigInt(anchor.blockNumber)
  if (checks.transaction.status !== "passed") {
    checks.confirmations = skipped("Confirmations count only for a transaction found in the receipt's block.")
  } else if (confirmations < minConfirmations) {
    checks.confirmations = failed(`The block has ${confirmations} confirmations; ${minConfirmations} are required.`)
  } else if (receipt.status === "final" && !result.finalized) {
    checks.confirmations = failed(
      finalized === null
        ? "The receipt says final, but the RPC endpoint reports no finalized block."
        : `The receipt says final, but the chain's finalized block is ${finalized}, before block ${anchor.blockNumber}.`,
    )
  } else {
    checks.confirmations = passed(`The block has ${confirmations} confirmations (${minConfirmations} required)${result.finalized ? " and is final" : ""}.`)
  }
}

function checkLog(
  logs: readonly { address: Address; topics: readonly Hex[]; data: Hex; logIndex: number | null }[],
  anchor: AnchoredReceipt["anchor"],
  root: Hex,
  result: VerifyReceiptResult,
): CheckResult {
  const log = logs.find((each) => each.logIndex === anchor.logIndex)
  if (!log) return failed(`The transaction has no log at index ${anchor.logIndex}.`)
  if (log.address.toLowerCase() !== anchor.contract.toLowerCase()) {
    return failed(`The log at index ${anchor.logIndex} comes from ${log.address}, not from the receipt's contract ${anchor.contract}.`)
  }
  let event: ReturnType<typeof decodeEventLog<typeof contentAnchorAbi>>
  try {
    event = decodeEventLog({ abi: contentAnchorAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
  } catch {
    return failed(`The log at index ${anchor.logIndex} is not an Anchored event.`)
  }
  if (event.eventName !== "Anchored") return failed(`The log at index ${anchor.logIndex} is not an Anchored event.`)
  result.submitter = event.args.submitter
  if (event.args.root.toLowerCase() !== root) {
    return failed(`The Anchored event at index ${anchor.logIndex} is for root ${event.args.root}, not the receipt's root ${root}.`)
  }
  return passed(`The Anchored event at log index ${anchor.logIndex} records root ${root}, sent by ${event.args.submitter}.`)
}
