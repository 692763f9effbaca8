import type { SemaphoreProof } from "@semaphore-protocol/core"
import { Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { z } from "zod"
import { HumanmarkError } from "../../sdk/errors.ts"
import { readBody } from "../http/request.ts"
import { MAX_VOTE_BODY_BYTES, parseDecimal, proofBody } from "../routes/polls.ts"
import type { GovernorService, GovernorVoteView } from "./governor.ts"

export interface GovernorRouteDependencies {
  /** Absent when no GOVERNOR_ADDRESS is configured: every route answers 404 `governor_not_configured`. */
  service: GovernorService | undefined
  chainId: number
}

const voteBody = z.object({ support: z.union([z.literal(0), z.literal(1), z.literal(2)]), proof: proofBody }).strict()

/**
 * `/v1/governor`: the configured GovernorPersonhood, its proposals, membership proofs against a
 * proposal's pinned root, and anonymous votes relayed from the server's account.
 */
export function governorRoutes(deps: GovernorRouteDependencies) {
  const service = () => {
    if (!deps.service) throw new HumanmarkError("governor_not_configured", "This server relays votes for no governor.", { status: 404, details: "The operator sets GOVERNOR_ADDRESS." })
    return deps.service
  }
  const proposalId = (text: string) => parseDecimal(text, "invalid_proposal_id", "proposal id")
  const limit = bodyLimit({
    maxSize: MAX_VOTE_BODY_BYTES,
    onError: () => {
      throw new HumanmarkError("body_too_large", `The request body is larger than ${MAX_VOTE_BODY_BYTES} bytes.`, { status: 413 })
    },
  })
  return new Hono()
    .get("/", async (c) => c.json({ governor: service().governor, groupId: (await service().groupId()).toString(), chainId: deps.chainId }))
    .get("/proposals", async (c) => {
      const proposals = await service().listProposals()
      c.header("Cache-Control", "no-store")
      return c.json({
        proposals: proposals.map((each) => ({ ...each, proposalId: each.proposalId.toString(), blockNumber: each.blockNumber.toString() })),
      })
    })
    .get("/:proposalId", async (c) => {
      const proposal = await service().getProposal(proposalId(c.req.param("proposalId")))
      c.header("Cache-Control", "no-store")
      return c.json({
        proposal: {
          ...proposal,
          proposalId: proposal.proposalId.toString(),
          snapshot: proposal.snapshot.toString(),
          deadline: proposal.deadline.toString(),
          merkleTreeRoot: proposal.merkleTreeRoot.toString(),
          scope: proposal.scope.toString(),
          chainId: deps.chainId,
        },
      })
    })
    .get("/:proposalId/membership/:commitment", async (c) => {
      const commitment = parseDecimal(c.req.param("commitment"), "invalid_commitment", "commitment")
      const proof = await service().membershipProof(proposalId(c.req.param("proposalId")), commitment)
      return c.json({ root: proof.root.toString(), leaf: proof.leaf.toString(), index: proof.index, siblings: proof.siblings.map(String), depth: proof.depth })
    })
    .post("/:proposalId/votes", limit, async (c) => {
      const id = proposalId(c.req.param("proposalId"))
      const body = await readBody(c, voteBody)
      const vote = await service().submitVote(id, { support: body.support, proof: { ...body.proof, points: body.proof.points as SemaphoreProof["points"] } })
      return c.json({ vote: voteJson(vote) }, 202)
    })
    .get("/:proposalId/votes/:nullifier", async (c) => {
      const vote = await service().getVote(proposalId(c.req.param("proposalId")), parseDecimal(c.req.param("nullifier"), "invalid_nullifier", "nullifier"))
      c.header("Cache-Control", "no-store")
      return c.json({ vote: voteJson(vote) })
    })
}

function voteJson(vote: GovernorVoteView) {
  return {
    proposalId: vote.proposalId.toString(),
    nullifier: vote.nullifier.toString(),
    support: vote.support,
    status: vote.status,
    ...(vote.errorCode === undefined ? {} : { error: { code: vote.errorCode } }),
    ...(vote.txHash === undefined ? {} : { txHash: vote.txHash }),
    ...(vote.blockNumber === undefined ? {} : { blockNumber: vote.blockNumber.toString() }),
  }
}
