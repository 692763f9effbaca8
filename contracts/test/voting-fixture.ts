// Helpers shared by the voting contract tests: Semaphore groups filled directly by the test account,
// proofs with the official artifacts, and reading a custom error from calls made at a chosen time.
import assert from "node:assert/strict"
import { Group, type Identity, type SemaphoreProof } from "@semaphore-protocol/core"
import { BaseError, decodeErrorResult, encodeFunctionData, parseEventLogs, type Abi, type Address, type Hex } from "viem"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, toSemaphoreProofStruct } from "../../sdk/semaphore/proof.ts"
import type { TestChain } from "../../test/support/chain.ts"

export type ProofStruct = ReturnType<typeof toSemaphoreProofStruct>

async function writeSemaphore(chain: TestChain, functionName: "createGroup" | "addMembers", args: readonly unknown[]) {
  const hash = await chain.walletClient.writeContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName,
    args,
  } as never)
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, "success")
  return receipt
}

/** Creates a Semaphore group administered by the test account and adds `identities` (if any). */
export async function createGroupWith(chain: TestChain, identities: readonly Identity[]): Promise<bigint> {
  const receipt = await writeSemaphore(chain, "createGroup", [])
  const [created] = parseEventLogs({ abi: semaphoreAbi, logs: receipt.logs, eventName: "GroupCreated" })
  assert.ok(created, "GroupCreated was emitted")
  if (identities.length > 0) await addMembers(chain, created.args.groupId, identities)
  return created.args.groupId
}

export async function addMembers(chain: TestChain, groupId: bigint, identities: readonly Identity[]): Promise<void> {
  await writeSemaphore(chain, "addMembers", [groupId, identities.map((identity) => identity.commitment)])
}

export interface ProveParameters {
  identity: Identity
  /** The members as they were when the poll or proposal pinned the root. */
  members: readonly Identity[]
  message: bigint
  scope: bigint
}

/** A proof with the official artifacts, as the struct the contracts take. */
export async function prove({ identity, members, message, scope }: ProveParameters): Promise<ProofStruct> {
  const group = new Group(members.map((member) => member.commitment))
  const proof: SemaphoreProof = await generateSemaphoreProof({ identity, group, message, scope, loadArtifacts: loadSemaphoreArtifacts })
  return toSemaphoreProofStruct(proof)
}

/** The Merkle root a list of members gives, as Semaphore computes it on chain. */
export const groupRoot = (members: readonly Identity[]) => new Group(members.map((member) => member.commitment)).root

export interface CallAtParameters {
  address: Address
  abi: Abi
  functionName: string
  args: readonly unknown[]
  /** Block timestamp the call sees; the latest block's when omitted. */
  timestamp?: bigint
}

/**
 * Runs a contract call with `eth_call` (nothing is mined) and returns the custom error it reverted
 * with, or undefined if it succeeded. A timestamp override lets property tests try many times
 * around a window without mining a block for each.
 */
export async function revertAt(chain: TestChain, { address, abi, functionName, args, timestamp }: CallAtParameters): Promise<string | undefined> {
  const data = encodeFunctionData({ abi, functionName, args } as never)
  try {
    await chain.publicClient.call({
      account: chain.walletClient.account,
      to: address,
      data,
      ...(timestamp === undefined ? {} : { blockOverrides: { time: timestamp } }),
    })
    return undefined
  } catch (error) {
    if (!(error instanceof BaseError)) throw error
    const withData = error.walk((cause) => typeof (cause as { data?: unknown }).data === "string") as { data?: Hex } | null
    if (!withData?.data) throw error
    return decodeErrorResult({ abi, data: withData.data }).errorName
  }
}

/** Sends a transaction from `account` (any unlocked anvil account: a relayer) and returns its receipt. */
export async function send(chain: TestChain, parameters: CallAtParameters & { account?: Address }) {
  const hash = await chain.walletClient.writeContract({
    address: parameters.address,
    abi: parameters.abi,
    functionName: parameters.functionName,
    args: parameters.args,
    ...(parameters.account ? { account: parameters.account } : {}),
  } as never)
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  assert.equal(receipt.status, "success", `${parameters.functionName} succeeded`)
  return receipt
}

/** An unlocked anvil account other than the deployer's: the relayer that submits ballots. */
export async function relayerAccount(chain: TestChain): Promise<Address> {
  const accounts = (await chain.publicClient.request({ method: "eth_accounts" as never, params: [] as never })) as Address[]
  const relayer = accounts.find((account) => account.toLowerCase() !== chain.walletClient.account.address.toLowerCase())
  assert.ok(relayer, "anvil has a second unlocked account")
  return relayer
}

/** Latest block timestamp. */
export async function now(chain: TestChain): Promise<bigint> {
  return (await chain.publicClient.getBlock()).timestamp
}

/** Mines the next block at exactly `timestamp`. */
export async function mineAt(chain: TestChain, timestamp: bigint): Promise<void> {
  await chain.publicClient.request({ method: "evm_setNextBlockTimestamp" as never, params: [`0x${timestamp.toString(16)}`] as never })
  await chain.publicClient.request({ method: "evm_mine" as never, params: [] as never })
}

/** Mines `count` blocks (the governor's clock is the block number). */
export async function mineBlocks(chain: TestChain, count: number): Promise<void> {
  await chain.publicClient.request({ method: "anvil_mine" as never, params: [`0x${count.toString(16)}`] as never })
}

/** Reproducible pseudo-random numbers for property tests (mulberry32), so a failure can be replayed by seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}
