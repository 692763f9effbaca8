// The polls part of the humanmark HTTP API, as the pages use it (same origin).
import { createHumanmarkClient } from "../../../sdk/client.ts"

export interface PollCandidate {
  contentHash: string
  uri: string
  title: string
}

/** `GET /v1/polls/:id` (bigints as decimal strings); the list `GET /v1/polls` leaves `candidates` out. */
export interface PollJson {
  id: string
  title: string
  kind: "single" | "approval" | "pairwise"
  options: string[]
  candidates: PollCandidate[]
  optionCount: number
  level: string
  groupId: string
  merkleTreeRoot: string
  merkleTreeSize: number
  merkleTreeDepth: number
  scope: string
  startsAt: number
  endsAt: number
  status: "upcoming" | "open" | "closed"
  chainId: number
  contract: `0x${string}`
  ballotCount?: number
}

export interface VoteJson {
  nullifier: string
  status: "queued" | "submitted" | "included" | "rejected"
  error?: { code: string }
  txHash?: string
}

export type ResultsJson =
  | { kind: "single" | "approval"; ballotCount: number; options: { index: number; votes: number }[] }
  | { kind: "pairwise"; ballotCount: number; judgements: number; ranking: { index: number; score: number; lower: number; upper: number; wins: number; losses: number; rank: number }[] }

export const pollsClient = () => createHumanmarkClient({ serverUrl: window.location.origin })

/** A candidate's or option's label. */
export function choiceLabel(poll: PollJson, index: number): string {
  return poll.candidates[index]?.title || poll.options[index] || `#${index}`
}

export function describeWindow(poll: PollJson): string {
  const format = (seconds: number) => new Date(seconds * 1000).toLocaleString()
  if (poll.status === "upcoming") return `Opens ${format(poll.startsAt)}`
  if (poll.status === "open") return `Open until ${format(poll.endsAt)}`
  return `Closed ${format(poll.endsAt)}`
}
