import { Group, type MerkleProof } from "@semaphore-protocol/core"
import { parseEventLogs, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem"
import { HumanmarkError } from "../../sdk/errors.ts"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"

/** Blocks per `eth_getLogs` call: public RPC providers refuse wide ranges. */
const DEFAULT_BLOCK_RANGE = 10_000n

const memberEvents = semaphoreAbi.filter(
  (item) => item.type === "event" && ["MemberAdded", "MembersAdded", "MemberUpdated", "MemberRemoved"].includes(item.name),
)

export interface ReadGroupMembersParameters {
  publicClient: PublicClient<Transport, Chain>
  /** The Semaphore contract. */
  semaphore: Address
  groupId: bigint
  /** A block at or before the group's creation. */
  fromBlock: bigint
  /** Read up to this block (default: the latest), so a caller can pin what it reads. */
  toBlock?: bigint
  blockRange?: bigint
}

/** Where a commitment entered the group, as the chain's events tell it. */
export interface MemberInsertion {
  commitment: bigint
  leafIndex: number
  /** The root right after the event that put it there. */
  root: bigint
  txHash: Hex
  blockNumber: bigint
}

export interface GroupMembers {
  /** The off-chain tree; removed members are zero leaves, as on chain. */
  group: Group
  /** Leaves in order (0n for removed ones). */
  members: bigint[]
  root: bigint
  /** The latest insertion (added or updated in) of each commitment still or once in the group. */
  insertions: Map<bigint, MemberInsertion>
  /** The last block read. */
  toBlock: bigint
}

/**
 * Rebuilds a Semaphore group from its `MemberAdded`, `MembersAdded`, `MemberUpdated` and
 * `MemberRemoved` events alone, so anyone with an RPC endpoint can check what a server says.
 * The result's root equals the contract's `getMerkleTreeRoot` at `toBlock`.
 */
export async function readGroupMembers(parameters: ReadGroupMembersParameters): Promise<GroupMembers> {
  const { publicClient, semaphore, groupId, fromBlock } = parameters
  const toBlock = parameters.toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }))
  const blockRange = parameters.blockRange ?? DEFAULT_BLOCK_RANGE
  const members: bigint[] = []
  const insertions = new Map<bigint, MemberInsertion>()
  let root = 0n
  // Removed leaves are zeros on chain, but Group takes no zero leaf: it is built with the removed
  // commitment in place, then removes it, which hashes the same zero leaf the contract does.
  const removed = new Map<number, bigint>()

  for (let start = fromBlock; start <= toBlock; start += blockRange) {
    const end = start + blockRange - 1n < toBlock ? start + blockRange - 1n : toBlock
    const logs = await publicClient.getLogs({ address: semaphore, events: memberEvents, args: { groupId }, fromBlock: start, toBlock: end } as never)
    const events = parseEventLogs({ abi: semaphoreAbi, logs: logs as never, strict: true }).sort((left, right) =>
      left.blockNumber === right.blockNumber ? left.logIndex - right.logIndex : left.blockNumber < right.blockNumber ? -1 : 1,
    )
    for (const event of events) {
      if (!("groupId" in event.args) || event.args.groupId !== groupId) continue
      const at = { txHash: event.transactionHash, blockNumber: event.blockNumber }
      switch (event.eventName) {
        case "MemberAdded": {
          const { index, identityCommitment, merkleTreeRoot } = event.args
          place(members, Number(index), identityCommitment)
          insertions.set(identityCommitment, { commitment: identityCommitment, leafIndex: Number(index), root: merkleTreeRoot, ...at })
          root = merkleTreeRoot
          break
        }
        case "MembersAdded": {
          const { startIndex, identityCommitments, merkleTreeRoot } = event.args
          identityCommitments.forEach((commitment, offset) => {
            place(members, Number(startIndex) + offset, commitment)
            insertions.set(commitment, { commitment, leafIndex: Number(startIndex) + offset, root: merkleTreeRoot, ...at })
          })
          root = merkleTreeRoot
          break
        }
        case "MemberUpdated": {
          const { index, newIdentityCommitment, merkleTreeRoot } = event.args
          members[Number(index)] = newIdentityCommitment
          removed.delete(Number(index))
          insertions.set(newIdentityCommitment, { commitment: newIdentityCommitment, leafIndex: Number(index), root: merkleTreeRoot, ...at })
          root = merkleTreeRoot
          break
        }
        case "MemberRemoved": {
          members[Number(event.args.index)] = 0n
          removed.set(Number(event.args.index), event.args.identityCommitment)
          root = event.args.merkleTreeRoot
          break
        }
      }
    }
  }
  const group = new Group(members.map((member, index) => removed.get(index) ?? member))
  for (const index of removed.keys()) group.removeMember(index)
  if (members.length > 0 && group.root !== root) {
    throw new HumanmarkError("group_events_inconsistent", `The events of group ${groupId} do not rebuild the root they announce.`, { status: 502 })
  }
  return { group, members, root, insertions, toBlock }
}

function place(members: bigint[], index: number, commitment: bigint): void {
  if (index !== members.length) {
    throw new HumanmarkError("group_events_inconsistent", `A group event inserts leaf ${index} while the tree has ${members.length} leaves.`, { status: 502 })
  }
  members.push(commitment)
}

/** The Merkle proof a prover needs for `commitment`, or a typed 404 when it is not a member. */
export function merkleProofFor(group: Group, commitment: bigint): MerkleProof {
  const index = commitment === 0n ? -1 : group.indexOf(commitment)
  if (index === -1) throw new HumanmarkError("not_a_member", "This commitment is not a member of the group.", { status: 404 })
  return group.generateMerkleProof(index)
}

export interface ReadMerkleProofParameters extends ReadGroupMembersParameters {
  commitment: bigint
}

/** A Merkle proof for `commitment`, from chain events alone. */
export async function readMerkleProof(parameters: ReadMerkleProofParameters): Promise<MerkleProof> {
  const { group } = await readGroupMembers(parameters)
  return merkleProofFor(group, parameters.commitment)
}
