// Messages of vote proofs: the proof binds its message, so a relayer cannot change the choice.
// They must equal HumanPolls.voteMessage/approvalMessage; contracts/test/human-polls.test.ts checks it.
import { encodeAbiParameters, keccak256, type Hex } from "viem"

const zeroHash: Hex = `0x${"00".repeat(32)}`
const toField = (hash: Hex) => BigInt(hash) >> 8n

export interface VoteMessageParameters {
  /** Option index (single choice), or the winner's index (pairwise). */
  choice: bigint
  /** keccak256 of the voter's reason text; omitted or zero for none (always zero for pairwise). */
  reasonHash?: Hex
}

/** Message of a single choice ballot or a pairwise judgement: `uint256(keccak256(abi.encode(choice, reasonHash))) >> 8`. */
export function voteMessage({ choice, reasonHash = zeroHash }: VoteMessageParameters): bigint {
  return toField(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [choice, reasonHash])))
}

export interface ApprovalMessageParameters {
  /** Approved option indexes, strictly increasing (the contract refuses any other order). */
  choices: readonly bigint[]
  reasonHash?: Hex
}

/** Message of an approval ballot: `uint256(keccak256(abi.encode(uint256[] choices, reasonHash))) >> 8`. */
export function approvalMessage({ choices, reasonHash = zeroHash }: ApprovalMessageParameters): bigint {
  return toField(keccak256(encodeAbiParameters([{ type: "uint256[]" }, { type: "bytes32" }], [choices, reasonHash])))
}

/** Message of a GovernorPersonhood vote: the support value itself (0 Against, 1 For, 2 Abstain). */
export function proposalVoteMessage(support: 0 | 1 | 2): bigint {
  return BigInt(support)
}
