import type { SemaphoreProof } from "@semaphore-protocol/core"
import { Hono, type Context } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { Address } from "viem"
import { z } from "zod"
import { HumanmarkError } from "../../sdk/errors.ts"
import { readBody, requireAdminToken } from "../http/request.ts"
import type { PollDetails, PollResults, PollView, VoteView, VotingService } from "../voting/service.ts"

/** A poll of 10,000 candidates with URIs and titles stays under this. */
export const MAX_CREATE_POLL_BODY_BYTES = 4 * 1024 * 1024
/** A ballot and its proof are well under a kilobyte; approval ballots of many choices a little more. */
export const MAX_VOTE_BODY_BYTES = 64 * 1024
const MAX_CANDIDATES = 10_000
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/
const BYTES32 = /^0x[0-9a-fA-F]{64}$/

export interface PollRouteDependencies {
  service: VotingService
  chainId: number
  humanPolls: Address
  /** When set, `POST /` needs `Authorization: Bearer <adminToken>`. */
  adminToken: string | undefined
  /** Without an admin token: true lets anyone create polls (embedded chain), false refuses creation. */
  openPollCreation: boolean
}

const decimal = z.string().regex(DECIMAL, "must be a decimal integer")
const index = z.number().int().min(0).max(2 ** 32 - 1)
const createPollBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    kind: z.enum(["single", "approval", "pairwise"]).default("single"),
    options: z.array(z.string().trim().min(1).max(200)).max(1_000).optional(),
    candidates: z
      .array(z.object({ contentHash: z.string().regex(BYTES32, "must be 0x and 64 hex digits"), uri: z.string().max(2_048), title: z.string().max(200) }).strict())
      .max(MAX_CANDIDATES)
      .optional(),
    level: z.enum(["person", "device"]).optional(),
    startsAt: z.number().int().min(0).optional(),
    durationSeconds: z.number().int().min(1).max(10 * 365 * 86_400),
  })
  .strict()
/** A Semaphore proof as JSON: big numbers as decimal strings. */
export const proofBody = z
  .object({
    merkleTreeDepth: z.number().int(),
    merkleTreeRoot: decimal,
    nullifier: decimal,
    message: decimal,
    scope: decimal,
    points: z.array(decimal).length(8),
  })
  .strict()
const voteBody = z
  .object({
    ballot: z.union([
      z.object({ choice: index }).strict(),
      z.object({ choices: z.array(index).max(MAX_CANDIDATES) }).strict(),
      z.object({ first: index, second: index, winner: index }).strict(),
    ]),
    reasonHash: z.string().regex(BYTES32, "must be 0x and 64 hex digits").optional(),
    proof: proofBody,
  })
  .strict()

/**
 * `/v1/polls`: create and list polls, membership proofs against a poll's pinned root, ballots (checked
 * off chain, queued durably, relayed), their status, results and the next pair to judge.
 */
export function pollRoutes(deps: PollRouteDependencies) {
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HumanmarkError("body_too_large", `The request body is larger than ${maxSize} bytes.`, { status: 413 })
      },
    })
  const contract = { chainId: deps.chainId, contract: deps.humanPolls }

  return new Hono()
    .post("/", limit(MAX_CREATE_POLL_BODY_BYTES), async (c) => {
      authorizeCreation(c, deps)
      const body = await readBody(c, createPollBody)
      const poll = await deps.service.createPoll({
        ...body,
        candidates: body.candidates?.map((candidate) => ({ ...candidate, contentHash: candidate.contentHash.toLowerCase() as `0x${string}` })),
      })
      return c.json({ poll: pollJson(poll, contract) }, 201)
    })
    .get("/", async (c) => {
      const limitParameter = Number(c.req.query("limit") ?? 50)
      const offset = Number(c.req.query("offset") ?? 0)
      if (!Number.isInteger(limitParameter) || limitParameter < 1 || limitParameter > 500 || !Number.isInteger(offset) || offset < 0) {
        throw new HumanmarkError("invalid_request", "limit must be 1 to 500 and offset a non-negative integer.")
      }
      const polls = await deps.service.listPolls({ limit: limitParameter, offset })
      c.header("Cache-Control", "no-store")
      // Listings leave out the candidates: an art poll can carry thousands.
      return c.json({ polls: polls.map((poll) => ({ ...pollJson(poll, contract), candidates: undefined, options: poll.options })) })
    })
    .get("/:id", async (c) => {
      const poll = await deps.service.getPoll(parsePollId(c.req.param("id")))
      c.header("Cache-Control", "no-store")
      return c.json({ poll: pollDetailsJson(poll, contract) })
    })
    .get("/:id/membership/:commitment", async (c) => {
      const proof = await deps.service.membershipProof(parsePollId(c.req.param("id")), parseDecimal(c.req.param("commitment"), "invalid_commitment", "commitment"))
      return c.json({ root: proof.root.toString(), leaf: proof.leaf.toString(), index: proof.index, siblings: proof.siblings.map(String), depth: proof.depth })
    })
    .post("/:id/votes", limit(MAX_VOTE_BODY_BYTES), async (c) => {
      const pollId = parsePollId(c.req.param("id"))
      const body = await readBody(c, voteBody)
      const vote = await deps.service.submitVote(pollId, {
        ballot: body.ballot,
        reasonHash: body.reasonHash as `0x${string}` | undefined,
        proof: { ...body.proof, points: body.proof.points as SemaphoreProof["points"] },
      })
      return c.json({ vote: voteJson(vote) }, 202)
    })
    .get("/:id/votes/:nullifier", async (c) => {
      const vote = await deps.service.getVote(parsePollId(c.req.param("id")), parseDecimal(c.req.param("nullifier"), "invalid_nullifier", "nullifier"))
      c.header("Cache-Control", "no-store")
      return c.json({ vote: voteJson(vote) })
    })
    .get("/:id/results", async (c) => {
      const results = await deps.service.results(parsePollId(c.req.param("id")))
      c.header("Cache-Control", "no-store")
      return c.json({ results: resultsJson(results) })
    })
    .get("/:id/next-pair", async (c) => {
      const exclude = parsePairs(c.req.query("exclude"))
      const next = await deps.service.nextPair(parsePollId(c.req.param("id")), { exclude })
      c.header("Cache-Control", "no-store")
      return c.json(next)
    })
}

/** Bigints as decimal strings: JSON numbers lose precision above 2^53. */
function pollJson(poll: PollView, contract: { chainId: number; contract: Address }) {
  return {
    id: poll.id.toString(),
    title: poll.title,
    kind: poll.kind,
    options: poll.options,
    candidates: poll.candidates,
    optionCount: poll.candidates.length > 0 ? poll.candidates.length : poll.options.length,
    candidatesRoot: poll.candidatesRoot,
    level: poll.level,
    groupId: poll.groupId.toString(),
    merkleTreeRoot: poll.merkleTreeRoot.toString(),
    merkleTreeSize: poll.merkleTreeSize,
    merkleTreeDepth: poll.merkleTreeDepth,
    scope: poll.scope.toString(),
    startsAt: poll.startsAt,
    endsAt: poll.endsAt,
    status: poll.status,
    chainTime: poll.chainTime,
    createdBlock: poll.createdBlock.toString(),
    metadataHash: poll.metadataHash,
    txHash: poll.txHash,
    chainId: contract.chainId,
    contract: contract.contract,
  }
}

function pollDetailsJson(poll: PollDetails, contract: { chainId: number; contract: Address }) {
  return { ...pollJson(poll, contract), ballotCount: poll.ballotCount, votes: poll.votes }
}

function voteJson(vote: VoteView) {
  return {
    pollId: vote.pollId.toString(),
    nullifier: vote.nullifier.toString(),
    status: vote.status,
    ...(vote.errorCode === undefined ? {} : { error: { code: vote.errorCode } }),
    ...(vote.txHash === undefined ? {} : { txHash: vote.txHash }),
    ...(vote.blockNumber === undefined ? {} : { blockNumber: vote.blockNumber.toString() }),
  }
}

function resultsJson(results: PollResults) {
  return { ...results, pollId: results.pollId.toString() }
}

function authorizeCreation(c: Context, deps: PollRouteDependencies): void {
  if (deps.adminToken === undefined) {
    if (deps.openPollCreation) return
    throw new HumanmarkError("poll_creation_disabled", "Creating polls is disabled on this server.", {
      details: "Creating a poll costs the server gas: the operator must set ADMIN_TOKEN to allow it.",
      status: 403,
    })
  }
  requireAdminToken(c, deps.adminToken)
}


export function parseDecimal(text: string, code: string, what: string): bigint {
  if (!DECIMAL.test(text) || BigInt(text) >= 2n ** 256n) throw new HumanmarkError(code, `The ${what} must be a decimal integer below 2^256.`)
  return BigInt(text)
}

const parsePollId = (text: string) => parseDecimal(text, "invalid_poll_id", "poll id")

/** `exclude=3-7,1-2`: pairs this voter already judged. */
function parsePairs(text: string | undefined): [number, number][] {
  if (text === undefined || text === "") return []
  const pairs = text.split(",")
  if (pairs.length > 10_000) throw new HumanmarkError("invalid_request", "exclude lists at most 10,000 pairs.")
  return pairs.map((pair) => {
    const match = /^(\d{1,10})-(\d{1,10})$/.exec(pair.trim())
    if (!match) throw new HumanmarkError("invalid_request", `exclude: "${pair}" is not a pair like 3-7.`)
    return [Number(match[1]), Number(match[2])]
  })
}
