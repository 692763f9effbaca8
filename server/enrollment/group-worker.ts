// The group worker: puts enrolled commitments into one Semaphore group per level. Additions go in
// batches (`addMembers`), recoveries take their predecessor's leaf (`updateMember`), revoked members
// leave (`removeMember`). Each transaction is signed and recorded before it is broadcast, and at
// most one is open per group, so after a crash the next worker finds it, learns its fate from the
// chain, and neither adds a member twice nor loses one.
import {
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
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
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import type { AttestationLevel } from "./attestation/types.ts"
import { readGroupMembers, type GroupMembers } from "./membership.ts"
import type { Enrollment, EnrollmentGroup, EnrollmentStore, GroupOperationKind, GroupTransaction, MemberChainUpdate } from "./store.ts"
import { broadcastRawTransaction, findReceipt, isTransactionKnown as isTransactionKnownOnChain } from "../chain/raw-transactions.ts"

export const DEFAULT_GROUP_BATCH_SIZE = 100
export const DEFAULT_GROUP_INTERVAL_MS = 2_000
const RETRY_MAX_MS = 30_000

export interface GroupWorkerHooks {
  /** After a transaction is recorded as submitted, before it is broadcast. */
  beforeBroadcast?: (transaction: GroupTransaction) => void | Promise<void>
  /** After the broadcast, before its inclusion is recorded. Tests stop the worker here to act out a crash. */
  afterBroadcast?: (transaction: GroupTransaction) => void | Promise<void>
}

export interface StartGroupWorkerParameters {
  store: EnrollmentStore
  publicClient: PublicClient<Transport, Chain>
  /** The server account: it creates the groups, so it is their admin and pays for every change. */
  walletClient: WalletClient<Transport, Chain, Account>
  semaphore: Address
  /** The levels to run a group for. Default: person and device. */
  levels?: readonly AttestationLevel[]
  /** Most commitments per `addMembers` transaction. Default 100. */
  batchSize?: number
  /** Pause between passes when idle. Default 2 s. */
  intervalMs?: number
  /** How long to wait for a receipt before looking again in a later pass. Default 60 s. */
  receiptTimeoutMs?: number
  log?: (line: string) => void
  hooks?: GroupWorkerHooks
  now?: () => Date
}

export interface GroupWorker {
  /** Starts a pass at once (after an enrollment or a revocation was stored). */
  wake(): void
  /** Resolves after the next pass that found nothing to do; rejects if the worker stops first. */
  whenIdle(): Promise<void>
  /** Stops after the pass in progress; what is stored is complete either way. */
  stop(): Promise<void>
}

interface LevelState {
  groupId: bigint
  createdBlock: bigint
  /** The off-chain copy of the group, for the Merkle siblings `updateMember` and `removeMember` need. */
  tree: GroupMembers | undefined
}

/** Starts the worker; its first pass resumes whatever a previous run left open. */
export function startGroupWorker(parameters: StartGroupWorkerParameters): GroupWorker {
  const { store, publicClient, walletClient, semaphore } = parameters
  const levels = parameters.levels ?? ["person", "device"]
  const batchSize = parameters.batchSize ?? DEFAULT_GROUP_BATCH_SIZE
  const intervalMs = parameters.intervalMs ?? DEFAULT_GROUP_INTERVAL_MS
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 60_000
  const log = parameters.log ?? (() => {})
  const hooks = parameters.hooks ?? {}
  const now = parameters.now ?? (() => new Date())
  const states = new Map<AttestationLevel, LevelState>()
  let stopped = false
  let wake: (() => void) | undefined
  /** `since`: passes begun when the waiter asked; it resolves at the first idle pass begun after that. */
  let idleWaiters: { resolve: () => void; reject: (error: Error) => void; since: number }[] = []
  let passesStarted = 0

  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, milliseconds)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })

  const getReceipt = (hash: Hex) => findReceipt(publicClient, hash)
  const isTransactionKnown = (hash: Hex) => isTransactionKnownOnChain(publicClient, hash)
  const broadcast = (raw: Hex) => broadcastRawTransaction(publicClient, raw)

  const sign = async (data: Hex) => {
    const request = await walletClient.prepareTransactionRequest({ to: semaphore, data })
    const raw = await walletClient.signTransaction(request)
    return { raw, hash: keccak256(raw), nonce: request.nonce }
  }

  /** Waits for a receipt; undefined when it is not mined within the timeout (a later pass looks again). */
  const waitForReceipt = async (hash: Hex): Promise<TransactionReceipt | undefined> => {
    try {
      return await publicClient.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs })
    } catch (error) {
      if (error instanceof WaitForTransactionReceiptTimeoutError) return undefined
      throw error
    }
  }

  // --- groups -------------------------------------------------------------------------------

  const recordGroupCreation = async (level: AttestationLevel, receipt: TransactionReceipt): Promise<boolean> => {
    const [created] = parseEventLogs({ abi: semaphoreAbi, eventName: "GroupCreated", logs: receipt.logs }).filter(
      (event) => event.address.toLowerCase() === semaphore.toLowerCase(),
    )
    if (receipt.status !== "success" || !created) {
      await store.forgetGroupCreation(level)
      log(`group ${level}: createGroup ${receipt.transactionHash} failed; signing it again`)
      return false
    }
    await store.recordGroupCreated(level, { groupId: created.args.groupId, createdBlock: receipt.blockNumber }, now())
    log(`group ${level}: created on chain as group ${created.args.groupId}`)
    return true
  }

  /** The level's on-chain group: created on first use, resumed if a creation was left in flight. */
  const ensureGroup = async (level: AttestationLevel): Promise<LevelState | undefined> => {
    const known = states.get(level)
    if (known) return known
    let group: EnrollmentGroup | undefined = await store.getGroup(level)
    if (group?.status === "creating") {
      const receipt = (await getReceipt(group.txHash)) ?? (await isTransactionKnown(group.txHash).then((isKnown) => (isKnown ? waitForReceipt(group!.txHash) : undefined)))
      if (receipt) await recordGroupCreation(level, receipt)
      else if (!(await broadcast(group.txRaw))) await store.forgetGroupCreation(level)
      else {
        const rebroadcastReceipt = await waitForReceipt(group.txHash)
        if (rebroadcastReceipt) await recordGroupCreation(level, rebroadcastReceipt)
      }
      group = await store.getGroup(level)
      if (group?.status === "creating") return undefined
    }
    if (!group) {
      // On first use only: an operator who never enrolls at a level never pays for its group.
      if ((await store.listAdditions(level, 1)).length === 0) return undefined
      const signed = await sign(encodeFunctionData({ abi: semaphoreAbi, functionName: "createGroup", args: [walletClient.account.address] }))
      await store.recordGroupCreating(level, { txHash: signed.hash, txRaw: signed.raw }, now())
      if (!(await broadcast(signed.raw))) {
        await store.forgetGroupCreation(level)
        return undefined
      }
      const receipt = await waitForReceipt(signed.hash)
      if (!receipt || !(await recordGroupCreation(level, receipt))) return undefined
      group = await store.getGroup(level)
    }
    const state = { groupId: group!.groupId!, createdBlock: group!.createdBlock!, tree: undefined }
    states.set(level, state)
    return state
  }

  const loadTree = async (state: LevelState): Promise<GroupMembers> => {
    if (!state.tree) state.tree = await readGroupMembers({ publicClient, semaphore, groupId: state.groupId, fromBlock: state.createdBlock })
    return state.tree
  }

  /** The off-chain tree, checked against the chain's root (another writer, or a missed event, forces a rebuild). */
  const freshTree = async (state: LevelState): Promise<GroupMembers> => {
    const tree = await loadTree(state)
    const onChainRoot = await publicClient.readContract({ address: semaphore, abi: semaphoreAbi, functionName: "getMerkleTreeRoot", args: [state.groupId] })
    if (tree.members.length === 0 ? onChainRoot === 0n : tree.group.root === onChainRoot) return tree
    log(`group ${state.groupId}: the off-chain tree drifted from the chain; rebuilding it from events`)
    state.tree = undefined
    return loadTree(state)
  }

  // --- member transactions ---------------------------------------------------------------------

  /** Reads what an included transaction did to our group, and records it. */
  const applyReceipt = async (level: AttestationLevel, state: LevelState, transaction: GroupTransaction, receipt: TransactionReceipt) => {
    if (receipt.status !== "success") {
      await store.recordFailed(transaction.id, `transaction ${receipt.transactionHash} reverted`, now())
      state.tree = undefined
      log(`group ${level}: ${transaction.kind} transaction ${receipt.transactionHash} reverted; its enrollments go back to the queue`)
      return
    }
    const events = parseEventLogs({ abi: semaphoreAbi, logs: receipt.logs }).filter(
      (event) => event.address.toLowerCase() === semaphore.toLowerCase() && "groupId" in event.args && event.args.groupId === state.groupId,
    )
    const updates: MemberChainUpdate[] = []
    const tree = state.tree
    for (const event of events) {
      const txHash = receipt.transactionHash
      if (event.eventName === "MembersAdded") {
        const { startIndex, identityCommitments, merkleTreeRoot } = event.args
        identityCommitments.forEach((commitment, offset) => {
          updates.push({ kind: "added", commitment, groupId: state.groupId, leafIndex: Number(startIndex) + offset, root: merkleTreeRoot, txHash })
        })
        tree?.group.addMembers([...identityCommitments])
        tree?.members.push(...identityCommitments)
      } else if (event.eventName === "MemberAdded") {
        const { index, identityCommitment, merkleTreeRoot } = event.args
        updates.push({ kind: "added", commitment: identityCommitment, groupId: state.groupId, leafIndex: Number(index), root: merkleTreeRoot, txHash })
        tree?.group.addMember(identityCommitment)
        tree?.members.push(identityCommitment)
      } else if (event.eventName === "MemberUpdated") {
        const { index, identityCommitment, newIdentityCommitment, merkleTreeRoot } = event.args
        updates.push({
          kind: "updated",
          commitment: newIdentityCommitment,
          replacedCommitment: identityCommitment,
          groupId: state.groupId,
          leafIndex: Number(index),
          root: merkleTreeRoot,
          txHash,
        })
        tree?.group.updateMember(Number(index), newIdentityCommitment)
        if (tree) tree.members[Number(index)] = newIdentityCommitment
      } else if (event.eventName === "MemberRemoved") {
        updates.push({ kind: "removed", commitment: event.args.identityCommitment, txHash })
        tree?.group.removeMember(Number(event.args.index))
        if (tree) tree.members[Number(event.args.index)] = 0n
      }
    }
    await store.recordIncluded(transaction.id, updates, now())
    log(`group ${level}: ${transaction.kind} of ${transaction.commitments.length} included in block ${receipt.blockNumber} (tx ${receipt.transactionHash})`)
  }

  /** A transaction left submitted (a crash, a timeout): returns true once its fate is recorded. */
  const settle = async (level: AttestationLevel, state: LevelState, transaction: GroupTransaction): Promise<boolean> => {
    let receipt = await getReceipt(transaction.txHash)
    if (!receipt) {
      if (!(await isTransactionKnown(transaction.txHash))) {
        log(`group ${level}: transaction ${transaction.txHash} is unknown to the node; broadcasting it again`)
        if (!(await broadcast(transaction.txRaw))) {
          // Its nonce went to another transaction, so it can never land: the enrollments are queued again.
          await store.recordFailed(transaction.id, `nonce ${transaction.txNonce} was used by another transaction`, now())
          state.tree = undefined
          return true
        }
      }
      receipt = await waitForReceipt(transaction.txHash)
      if (!receipt) return false
    }
    await applyReceipt(level, state, transaction, receipt)
    return true
  }

  /** Sign, record, broadcast, wait, record: the order that makes a crash at any point recoverable. */
  const submit = async (level: AttestationLevel, state: LevelState, kind: GroupOperationKind, commitments: bigint[], data: Hex) => {
    const signed = await sign(data)
    const transaction = await store.recordSubmitted({ level, kind, commitments, txHash: signed.hash, txNonce: signed.nonce, txRaw: signed.raw }, now())
    await hooks.beforeBroadcast?.(transaction)
    if (stopped) return
    if (!(await broadcast(signed.raw))) {
      await store.recordFailed(transaction.id, `nonce ${signed.nonce} was used by another transaction`, now())
      return
    }
    await hooks.afterBroadcast?.(transaction)
    if (stopped) return
    const receipt = await waitForReceipt(signed.hash)
    if (receipt) await applyReceipt(level, state, transaction, receipt)
  }

  /**
   * Enrollments the store thinks are off chain but the chain already holds (a transaction whose
   * record was lost, another writer): recorded from the events instead of being sent again.
   */
  const reconcile = async (state: LevelState, enrollments: Enrollment[]): Promise<Enrollment[]> => {
    const tree = await freshTree(state)
    const onChain = enrollments.filter((enrollment) => tree.insertions.has(enrollment.commitment) && tree.group.indexOf(enrollment.commitment) !== -1)
    if (onChain.length === 0) return enrollments
    const updates: MemberChainUpdate[] = onChain.map((enrollment) => {
      const insertion = tree.insertions.get(enrollment.commitment)!
      const common = { commitment: enrollment.commitment, groupId: state.groupId, leafIndex: insertion.leafIndex, root: insertion.root, txHash: insertion.txHash }
      return enrollment.replacesCommitment !== undefined && tree.group.indexOf(enrollment.replacesCommitment) === -1
        ? { kind: "updated", replacedCommitment: enrollment.replacesCommitment, ...common }
        : { kind: "added", ...common }
    })
    await store.recordIncluded(undefined, updates, now())
    return enrollments.filter((enrollment) => !onChain.includes(enrollment))
  }

  /** One pass over one level. Returns true when it changed something (so another pass may find more). */
  const stepLevel = async (level: AttestationLevel): Promise<boolean> => {
    const state = await ensureGroup(level)
    if (!state) return false
    let worked = false
    for (const transaction of await store.listSubmitted(level)) {
      if (!(await settle(level, state, transaction))) return true
      worked = true
    }
    if (stopped) return worked

    const additions = await reconcile(state, await store.listAdditions(level, batchSize))
    if (additions.length > 0) {
      const commitments = additions.map((enrollment) => enrollment.commitment)
      await submit(level, state, "add", commitments, encodeFunctionData({ abi: semaphoreAbi, functionName: "addMembers", args: [state.groupId, commitments] }))
      return true
    }

    const [replacement] = await reconcile(state, await store.listReplacements(level, 1))
    if (replacement) {
      const tree = await freshTree(state)
      const previous = replacement.replacesCommitment!
      const index = tree.group.indexOf(previous)
      if (index === -1) {
        // Only this worker changes the group, so the store and the chain disagree: an operator must look.
        throw new Error(`recovery of ${previous}: the store says it is in group ${state.groupId}, the chain does not`)
      }
      const { siblings } = tree.group.generateMerkleProof(index)
      await submit(
        level,
        state,
        "update",
        [replacement.commitment, previous],
        encodeFunctionData({ abi: semaphoreAbi, functionName: "updateMember", args: [state.groupId, previous, replacement.commitment, siblings] }),
      )
      return true
    }

    const [removal] = await store.listRemovals(level, 1)
    if (removal) {
      const tree = await freshTree(state)
      const index = tree.group.indexOf(removal.commitment)
      if (index === -1) {
        await store.recordIncluded(undefined, [{ kind: "removed", commitment: removal.commitment, txHash: "0x" }], now())
        return true
      }
      const { siblings } = tree.group.generateMerkleProof(index)
      await submit(
        level,
        state,
        "remove",
        [removal.commitment],
        encodeFunctionData({ abi: semaphoreAbi, functionName: "removeMember", args: [state.groupId, removal.commitment, siblings] }),
      )
      return true
    }
    return worked
  }

  const loop = async () => {
    let failures = 0
    while (!stopped) {
      const pass = ++passesStarted
      let worked = false
      try {
        for (const level of levels) {
          if (stopped) break
          if (await stepLevel(level)) worked = true
        }
        failures = 0
      } catch (error) {
        failures++
        worked = false
        for (const state of states.values()) state.tree = undefined
        log(`group worker: ${error instanceof Error ? error.message : String(error)}`)
        await sleep(Math.min(RETRY_MAX_MS, 250 * 2 ** failures))
        continue
      }
      if (stopped) break
      if (!worked) {
        // Only a pass that began after a waiter asked proves that what it stored first was handled.
        const ready = idleWaiters.filter((waiter) => waiter.since < pass)
        idleWaiters = idleWaiters.filter((waiter) => waiter.since >= pass)
        for (const waiter of ready) waiter.resolve()
        await sleep(intervalMs)
      }
    }
    const waiters = idleWaiters
    idleWaiters = []
    for (const waiter of waiters) waiter.reject(new Error("The group worker stopped."))
  }

  const running = loop()

  return {
    wake() {
      wake?.()
    },
    whenIdle() {
      return new Promise<void>((resolve, reject) => {
        idleWaiters.push({ resolve, reject, since: passesStarted })
        wake?.()
      })
    },
    async stop() {
      stopped = true
      wake?.()
      await running
    },
  }
}
