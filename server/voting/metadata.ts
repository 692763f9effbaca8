import { hexToBytes, keccak256, stringToHex, zeroHash, type Hex } from "viem"
import { buildMerkleTree } from "../../sdk/anchors/merkle.ts"
import type { PollCandidate, PollKind } from "./store.ts"

/** Version tag of the canonical metadata JSON; a new shape gets a new tag, old hashes stay checkable. */
export const POLL_METADATA_VERSION = "humanmark-poll/1"

export interface PollMetadata {
  title: string
  kind: PollKind
  options: readonly string[]
  candidates: readonly PollCandidate[]
}

/**
 * The poll's description as one canonical JSON text: fixed key order, no spaces, candidates with
 * lowercase hashes. `HumanPolls` stores its keccak256, so anyone holding the text can check it.
 */
export function canonicalPollMetadata({ title, kind, options, candidates }: PollMetadata): string {
  return JSON.stringify({
    version: POLL_METADATA_VERSION,
    title,
    kind,
    options: [...options],
    candidates: candidates.map(({ contentHash, uri, title: candidateTitle }) => ({ contentHash: contentHash.toLowerCase(), uri, title: candidateTitle })),
  })
}

export const pollMetadataHash = (metadata: PollMetadata): Hex => keccak256(stringToHex(canonicalPollMetadata(metadata)))

/** Merkle root (sdk/anchors/merkle.ts rules, leaf i = candidate i) of the candidates' content hashes; zero without candidates. */
export function candidatesRoot(candidates: readonly PollCandidate[]): Hex {
  if (candidates.length === 0) return zeroHash
  return buildMerkleTree(candidates.map((candidate) => hexToBytes(candidate.contentHash))).root
}
