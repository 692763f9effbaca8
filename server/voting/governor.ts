// The relayer's front door for GovernorPersonhood: anonymous votes on a DAO's proposals, checked off
// chain, queued durably and sent from the server's account like poll ballots. Proposals themselves are
// made on chain by anyone (`propose`); the server only reads them. Knows nothing about HTTP.
import type { MerkleProof, SemaphoreProof } from "@semaphore-protocol/core"
import { encodeFunctionData, getAddress, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem"
import { HumanmarkError } from "../../sdk/errors.ts"
import { governorPersonhoodAbi } from "../../sdk/generated/abis.ts"
import { MAX_TREE_DEPTH, MIN_TREE_DEPTH } from "../../sdk/semaphore/artifacts.ts"
import { toSemaphoreProofStruct, verifySemaphoreProof } from "../../sdk/semaphore/proof.ts"
import { proposalVoteMessage } from "../../sdk/voting/message.ts"
import { proposalScope } from "../../sdk/voting/scope.ts"
import { merkleProofFor, readGroupMembers, type GroupMembers } from "../enrollment/membership.ts"
import type { EnrollmentStore } from "../enrollment/store.ts"
import type { GovernorSupport, GovernorVoteStore, StoredGovernorVote } from "./governor-store.ts"
import type { RelayQueue } from "./relayer.ts"
import { normalizedProof } from "./service.ts"

const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const LOG_BLOCK_RANGE = 10_000n
/** OpenZeppelin's IGovernor.ProposalState, in order. */
const PROPOSAL_STATES = ["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"] as const
export type ProposalState = (typeof PROPOSAL_STATES)[number]

export interface ProposalView {
  governor: Address
  proposalId: bigint
  state: ProposalState
  /** Block numbers: voting runs after `snapshot` up to and including `deadline`. */
  snapshot: bigint
  deadline: bigint
  /** Pinned at `propose`: only members at that moment vote. */
  merkleTreeRoot: bigint
  groupSize: number
  quorumVotes: number
  votes: { against: number; for: number; abstain: number }
  scope: bigint
}

export interface GovernorVoteView {
  proposalId: bigint
  nullifier: bigint
  support: GovernorSupport
  status: StoredGovernorVote["status"]
  errorCode: string | undefined
  txHash: Hex | undefined
  blockNumber: bigint | undefined
}

export interface GovernorService {
  governor: Address
  groupId(): Promise<bigint>
  getProposal(proposalId: bigint): Promise<ProposalView>
  /** The newest proposals first, from the governor's `ProposalCreated` events. */
  listProposals(options?: { limit?: number }): Promise<ProposalSummary[]>
  /** The commitment's Merkle proof against the root the proposal pinned; 404 `not_a_member` otherwise. */
  membershipProof(proposalId: bigint, commitment: bigint): Promise<MerkleProof & { depth: number }>
  submitVote(proposalId: bigint, input: { support: GovernorSupport; proof: SemaphoreProof }): Promise<GovernorVoteView>
  getVote(proposalId: bigint, nullifier: bigint): Promise<GovernorVoteView>
}

export interface ProposalSummary {
  proposalId: bigint
  description: string
  proposer: Address
  blockNumber: bigint
}

export interface CreateGovernorServiceParameters {
  store: GovernorVoteStore
  groups: Pick<EnrollmentStore, "listGroups">
  publicClient: PublicClient<Transport, Chain>
  governor: Address
  semaphore: Address
  onQueued?: () => void
}

/** The governor ballots of a store, as a relay queue (`castVoteWithProof`). */
export function governorRelayQueue(store: GovernorVoteStore, governor: Address): RelayQueue<StoredGovernorVote> {
  return {
    name: "governor vote",
    contract: governor,
    abi: governorPersonhoodAbi,
    callData: (vote) =>
      encodeFunctionData({ abi: governorPersonhoodAbi, functionName: "castVoteWithProof", args: [vote.proposalId, vote.support, toSemaphoreProofStruct(vote.proof)] }),
    list: (status, limit) => store.list(status, limit),
    recordSigned: (id, transaction, now) => store.recordSigned(id, transaction, now),
    returnToQueue: (id, now) => store.returnToQueue(id, now),
    recordIncluded: (id, included, now) => store.recordIncluded(id, included, now),
    recordRejected: (id, errorCode, now) => store.recordRejected(id, errorCode, now),
  }
}

export function createGovernorService(parameters: CreateGovernorServiceParameters): GovernorService {
  const { store, groups, publicClient, semaphore, onQueued } = parameters
  const governor = getAddress(parameters.governor)
  const chainId = publicClient.chain.id
  const pinnedTrees = new Map<bigint, Promise<GroupMembers>>()
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address: governor, abi: governorPersonhoodAbi, functionName, args } as never) as Promise<T>

  let groupIdRead: Promise<bigint> | undefined
  const groupId = () => (groupIdRead ??= read<bigint>("groupId"))

  const proposalState = async (proposalId: bigint): Promise<ProposalState> => {
    try {
      return PROPOSAL_STATES[await read<number>("state", [proposalId])]!
    } catch (error) {
      throw new HumanmarkError("proposal_not_found", `The governor has no proposal ${proposalId}.`, { status: 404, cause: error })
    }
  }

  /** The group as it was when `propose` pinned its root, rebuilt from the chain's events. */
  const pinnedTree = (proposalId: bigint, root: bigint): Promise<GroupMembers> => {
    let tree = pinnedTrees.get(proposalId)
    if (!tree) {
      tree = (async () => {
        const id = await groupId()
        const group = (await groups.listGroups()).find((candidate) => candidate.groupId === id)
        const fromBlock = group?.createdBlock ?? 0n
        const proposeBlock = await findProposeBlock(proposalId, fromBlock)
        for (const toBlock of [proposeBlock - 1n, proposeBlock]) {
          const members = await readGroupMembers({ publicClient, semaphore, groupId: id, fromBlock, toBlock })
          if (members.root === root) return members
        }
        throw new HumanmarkError("group_events_inconsistent", `The group's events do not rebuild the root proposal ${proposalId} pinned.`, { status: 502 })
      })()
      tree.catch(() => pinnedTrees.delete(proposalId))
      pinnedTrees.set(proposalId, tree)
    }
    return tree
  }

  const findProposeBlock = async (proposalId: bigint, fromBlock: bigint): Promise<bigint> => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 })
    for (let start = fromBlock; start <= head; start += LOG_BLOCK_RANGE) {
      const end = start + LOG_BLOCK_RANGE - 1n < head ? start + LOG_BLOCK_RANGE - 1n : head
      const events = await publicClient.getContractEvents({ address: governor, abi: governorPersonhoodAbi, eventName: "ProposalCreated", fromBlock: start, toBlock: end, strict: true })
      const created = events.find((event) => event.args.proposalId === proposalId)
      if (created) return created.blockNumber
    }
    throw new HumanmarkError("proposal_not_found", `No ProposalCreated event for proposal ${proposalId}.`, { status: 404 })
  }

  const pinnedGroup = (proposalId: bigint) =>
    read<{ merkleTreeRoot: bigint; groupSize: number; quorumVotes: number; againstVotes: number; forVotes: number; abstainVotes: number }>("proposalGroup", [proposalId])

  const view = (vote: StoredGovernorVote): GovernorVoteView => ({
    proposalId: vote.proposalId,
    nullifier: vote.nullifier,
    support: vote.support,
    status: vote.status,
    errorCode: vote.errorCode,
    txHash: vote.transaction?.hash,
    blockNumber: vote.blockNumber,
  })

  return {
    governor,
    groupId,

    async listProposals({ limit = 50 } = {}) {
      // From the first block: fine on an L2 or a local chain; a long-lived L1 governor would want its deploy block here.
      const events = await publicClient.getContractEvents({ address: governor, abi: governorPersonhoodAbi, eventName: "ProposalCreated", fromBlock: 0n, strict: true })
      return events
        .slice(-limit)
        .reverse()
        .map((event) => ({ proposalId: event.args.proposalId, description: event.args.description, proposer: event.args.proposer, blockNumber: event.blockNumber }))
    },
    async getProposal(proposalId) {
      const state = await proposalState(proposalId)
      const [pinned, snapshot, deadline] = await Promise.all([
        pinnedGroup(proposalId),
        read<bigint>("proposalSnapshot", [proposalId]),
        read<bigint>("proposalDeadline", [proposalId]),
      ])
      return {
        governor,
        proposalId,
        state,
        snapshot,
        deadline,
        merkleTreeRoot: pinned.merkleTreeRoot,
        groupSize: Number(pinned.groupSize),
        quorumVotes: Number(pinned.quorumVotes),
        votes: { against: Number(pinned.againstVotes), for: Number(pinned.forVotes), abstain: Number(pinned.abstainVotes) },
        scope: proposalScope({ chainId, governor, proposalId }),
      }
    },

    async membershipProof(proposalId, commitment) {
      await proposalState(proposalId)
      const pinned = await pinnedGroup(proposalId)
      const tree = await pinnedTree(proposalId, pinned.merkleTreeRoot)
      return { ...merkleProofFor(tree.group, commitment), depth: tree.group.depth }
    },

    async submitVote(proposalId, { support, proof }) {
      const state = await proposalState(proposalId)
      if (state !== "active") throw new HumanmarkError("proposal_not_active", `Proposal ${proposalId} is ${state}; votes count only while it is active.`, { status: 409 })
      const pinned = await pinnedGroup(proposalId)
      if (BigInt(proof.merkleTreeRoot) !== pinned.merkleTreeRoot) {
        throw new HumanmarkError("wrong_root", "The proof was made against another group root than the one this proposal pinned.")
      }
      if (BigInt(proof.scope) !== proposalScope({ chainId, governor, proposalId })) {
        throw new HumanmarkError("wrong_scope", "The proof was made for another proposal, governor or chain.")
      }
      if (BigInt(proof.message) !== proposalVoteMessage(support)) throw new HumanmarkError("wrong_message", "The proof's message is not this support value.")
      if (!Number.isInteger(proof.merkleTreeDepth) || proof.merkleTreeDepth < MIN_TREE_DEPTH || proof.merkleTreeDepth > MAX_TREE_DEPTH) {
        throw new HumanmarkError("invalid_proof", `The proof's tree depth must be ${MIN_TREE_DEPTH} to ${MAX_TREE_DEPTH}.`)
      }
      const nullifier = BigInt(proof.nullifier)
      if (nullifier >= SNARK_SCALAR_FIELD) throw new HumanmarkError("invalid_proof", "The proof's nullifier is outside the BN254 field.")
      const duplicate = () => new HumanmarkError("duplicate_vote", "This person has already voted on this proposal.", { status: 409 })
      if (await store.get(governor, proposalId, nullifier)) throw duplicate()
      // The governor records voters as address(uint160(nullifier)).
      const voter = getAddress(`0x${(nullifier & ((1n << 160n) - 1n)).toString(16).padStart(40, "0")}`)
      if (await read<boolean>("hasVoted", [proposalId, voter])) throw duplicate()
      if (!(await verifySemaphoreProof(proof).catch(() => false))) throw new HumanmarkError("invalid_proof", "The zero-knowledge proof does not verify.")
      const stored = await store.enqueue({ governor, proposalId, nullifier, support, proof: normalizedProof(proof) }, new Date())
      if (!stored) throw duplicate()
      onQueued?.()
      return view(stored)
    },

    async getVote(proposalId, nullifier) {
      const vote = await store.get(governor, proposalId, nullifier)
      if (!vote) throw new HumanmarkError("vote_not_found", "No ballot with this nullifier was submitted for this proposal here.", { status: 404 })
      return view(vote)
    },
  }
}
