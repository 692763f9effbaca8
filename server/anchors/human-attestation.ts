// "Anchored by a verified human": a Semaphore v4 proof whose message is the digest, by a member of a
// group whose admission is personhood. Checked when the digest is submitted; the receipt carries the
// proof so that anyone can re-check it later against the same group.
import type { SemaphoreProof } from "@semaphore-protocol/core"
import { BaseError, ContractFunctionRevertedError, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem"
import { humanAttestationMessage } from "../../sdk/anchors/human.ts"
import type { HumanAttestation } from "../../sdk/anchors/receipt.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { toSemaphoreProofStruct, verifySemaphoreProof } from "../../sdk/semaphore/proof.ts"

export interface VerifyHumanAttestationParameters {
  digest: Hex
  attestation: HumanAttestation
  publicClient: PublicClient<Transport, Chain>
  semaphore: Address
  /** Groups whose members count as verified humans (configured: ANCHOR_HUMAN_GROUP_IDS). */
  acceptedGroupIds: readonly bigint[]
}

/**
 * Accepts the attestation or throws a typed 400. Order: cheap checks, the proof off chain (no RPC for
 * junk), then Semaphore's own `verifyProof` view on chain, which checks that the proof's Merkle root is
 * the group's current root or one still inside the group's `merkleTreeDuration`. The nullifier is not
 * spent: one person may attest many digests, and the scope is the submitter's choice (a fresh scope per
 * digest keeps their anchors unlinkable; a fixed scope makes them linkable on purpose).
 */
export async function verifyHumanAttestation(parameters: VerifyHumanAttestationParameters): Promise<HumanAttestation> {
  const { digest, attestation, publicClient, semaphore, acceptedGroupIds } = parameters
  if (acceptedGroupIds.length === 0) {
    throw new HumanmarkError("human_attestation_unavailable", "This server accepts no human attestations: no personhood group is configured.", {
      details: "Submit the digest without humanProof, or ask the operator to set ANCHOR_HUMAN_GROUP_IDS.",
    })
  }
  const groupId = BigInt(attestation.groupId)
  if (!acceptedGroupIds.includes(groupId)) {
    throw new HumanmarkError("human_group_not_accepted", `Group ${groupId} is not a personhood group of this server.`, {
      details: `Accepted groups: ${acceptedGroupIds.join(", ")}.`,
    })
  }
  if (BigInt(attestation.message) !== humanAttestationMessage(digest)) {
    throw new HumanmarkError("human_proof_wrong_message", "The proof's message is not this digest.", {
      details: "The message must be the digest read as a 256-bit unsigned integer, in decimal.",
    })
  }
  const proof: SemaphoreProof = {
    merkleTreeDepth: attestation.merkleTreeDepth,
    merkleTreeRoot: attestation.merkleTreeRoot,
    nullifier: attestation.nullifier,
    message: attestation.message,
    scope: attestation.scope,
    points: attestation.points as SemaphoreProof["points"],
  }
  if (!(await verifySemaphoreProof(proof).catch(() => false))) {
    throw new HumanmarkError("invalid_human_proof", "The Semaphore proof does not verify.")
  }
  let valid: boolean
  try {
    valid = await publicClient.readContract({
      address: semaphore,
      abi: semaphoreAbi,
      functionName: "verifyProof",
      args: [groupId, toSemaphoreProofStruct(proof)],
    })
  } catch (error) {
    const revert = error instanceof BaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : undefined
    if (!(revert instanceof ContractFunctionRevertedError)) throw error
    const reasons: Record<string, string> = {
      Semaphore__GroupDoesNotExist: `Group ${groupId} does not exist on chain.`,
      Semaphore__GroupHasNoMembers: `Group ${groupId} has no members.`,
      Semaphore__MerkleTreeRootIsNotPartOfTheGroup: `The proof's Merkle root was never a root of group ${groupId}.`,
      Semaphore__MerkleTreeRootIsExpired: `The proof's Merkle root of group ${groupId} has expired; prove again with the current group.`,
      Semaphore__MerkleTreeDepthIsNotSupported: "The proof's Merkle tree depth is not supported.",
    }
    const name = revert.data?.errorName ?? ""
    throw new HumanmarkError("human_proof_rejected", reasons[name] ?? `The Semaphore contract rejected the proof (${name || "reverted"}).`, { cause: error })
  }
  if (!valid) throw new HumanmarkError("invalid_human_proof", "The Semaphore proof does not verify on chain.")
  return attestation
}
