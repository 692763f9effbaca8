import { Hono, type Context } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { Address, Chain, PublicClient, Transport } from "viem"
import { z } from "zod"
import { HumanmarkError } from "../../sdk/errors.ts"
import { readBody, requireAdminToken } from "../http/request.ts"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { assertCommitmentInField } from "./attestation/commitment.ts"
import { DEVICE_STATEMENT_FORMAT } from "./attestation/device-statement.ts"
import type { DevAttester } from "./dev-attester.ts"
import { merkleProofFor, readGroupMembers, type GroupMembers } from "./membership.ts"
import type { EnrollmentService, EnrollmentView } from "./service.ts"
import type { EnrollmentStore } from "./store.ts"

/** Attestations are a few kilobytes (a WebAuthn response with a certificate chain at most ~10 KB). */
export const DEFAULT_ENROLLMENT_BODY_LIMIT_BYTES = 64 * 1024
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/

export interface EnrollmentRouteDependencies {
  service: EnrollmentService
  store: EnrollmentStore
  publicClient: PublicClient<Transport, Chain>
  semaphore: Address
  /** Bearer token for `POST /revoke`; without one, revocation over HTTP is refused. */
  adminToken?: string | undefined
  /** Present only when the dev attester is allowed (embedded chain); `POST /dev-attestation` answers 404 otherwise. */
  devAttester?: DevAttester | undefined
  maxBodyBytes?: number
  /** Attestation formats this server accepts (for clients to choose how to enroll). */
  formats?: readonly string[]
}

const challengeBody = z.object({ commitment: z.string() }).strict()
const enrollBody = z
  .object({ format: z.string().min(1).max(64), attestation: z.unknown(), commitment: z.string(), nonce: z.string().max(128), recover: z.boolean().optional() })
  .strict()
const devAttestationBody = z.object({ commitment: z.string(), nonce: z.string().max(128), person: z.string().min(1).max(200) }).strict()
const revokeBody = z.union([z.object({ commitment: z.string() }).strict(), z.object({ issuer: z.string().regex(/^[0-9a-f]{64}$/) }).strict()])

/**
 * `/v1/enrollments`: challenge, enroll, status, groups, Merkle proofs, the dev attester and admin
 * revocation. Rules live in the service; these handlers only read, validate and answer.
 */
export function enrollmentRoutes(deps: EnrollmentRouteDependencies) {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_ENROLLMENT_BODY_LIMIT_BYTES
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new HumanmarkError("body_too_large", `The request body is larger than ${maxBodyBytes} bytes.`, { status: 413 })
    },
  })
  const trees = new Map<bigint, GroupMembers>()

  /** The group as the chain has it now; re-read only when a block was added since. */
  const currentTree = async (groupId: bigint, fromBlock: bigint): Promise<GroupMembers> => {
    const head = await deps.publicClient.getBlockNumber({ cacheTime: 0 })
    const cached = trees.get(groupId)
    if (cached && cached.toBlock === head) return cached
    const tree = await readGroupMembers({ publicClient: deps.publicClient, semaphore: deps.semaphore, groupId, fromBlock, toBlock: head })
    trees.set(groupId, tree)
    return tree
  }

  return new Hono()
    .post("/challenge", limit, async (c) => {
      const body = await readBody(c, challengeBody)
      const challenge = await deps.service.createChallenge(parseCommitment(body.commitment))
      c.header("Cache-Control", "no-store")
      return c.json({ nonce: challenge.nonce, expiresAt: challenge.expiresAt.toISOString() })
    })
    .post("/", limit, async (c) => {
      const body = await readBody(c, enrollBody)
      const enrollment = await deps.service.enroll({
        format: body.format,
        attestation: body.attestation,
        commitment: parseCommitment(body.commitment),
        nonce: body.nonce,
        recover: body.recover ?? false,
      })
      return c.json(viewJson(enrollment), 202)
    })
    .get("/groups", async (c) => c.json(await listGroups(deps)))
    .get("/attesters", (c) => c.json({ formats: deps.formats ?? [], devAttester: deps.devAttester !== undefined }))
    .post("/dev-attestation", limit, async (c) => {
      if (!deps.devAttester) {
        throw new HumanmarkError("dev_attester_disabled", "The dev attester is off on this server.", {
          status: 404,
          details: "It runs only with the embedded local chain.",
        })
      }
      const body = await readBody(c, devAttestationBody)
      const attestation = deps.devAttester.attest({ commitment: parseCommitment(body.commitment), challenge: body.nonce, person: body.person })
      return c.json({ format: DEVICE_STATEMENT_FORMAT, attestation })
    })
    .post("/revoke", limit, async (c) => {
      requireAdminToken(c, deps.adminToken)
      const body = await readBody(c, revokeBody)
      const revoked = "commitment" in body ? await deps.service.revoke(parseCommitment(body.commitment)) : await deps.service.revokeIssuer(body.issuer)
      return c.json({ revoked: revoked.map(String) })
    })
    .get("/:commitment", async (c) => {
      const enrollment = await deps.service.getEnrollment(parseCommitment(c.req.param("commitment")))
      c.header("Cache-Control", "no-store")
      return c.json(viewJson(enrollment))
    })
    .get("/:commitment/merkle-proof", async (c) => {
      const commitment = parseCommitment(c.req.param("commitment"))
      const enrollment = await deps.service.getEnrollment(commitment)
      const group = enrollment.status === "in_group" ? await deps.store.getGroup(enrollment.level) : undefined
      if (group?.groupId === undefined || group.createdBlock === undefined) {
        throw new HumanmarkError("enrollment_not_in_group", `This commitment is ${enrollment.status.replace("_", " ")}, not in the group.`, { status: 409 })
      }
      const tree = await currentTree(group.groupId, group.createdBlock)
      const proof = merkleProofFor(tree.group, commitment)
      c.header("Cache-Control", "no-store")
      return c.json({
        groupId: group.groupId.toString(),
        root: proof.root.toString(),
        leaf: proof.leaf.toString(),
        index: proof.index,
        siblings: proof.siblings.map(String),
        blockNumber: tree.toBlock.toString(),
      })
    })
}

/** `GET /v1/groups`: the personhood groups (one per level) with their on-chain id, size and root. */
export function groupRoutes(deps: Pick<EnrollmentRouteDependencies, "store" | "publicClient" | "semaphore">) {
  return new Hono().get("/", async (c) => {
    c.header("Cache-Control", "no-store")
    return c.json(await listGroups(deps))
  })
}

async function listGroups(deps: Pick<EnrollmentRouteDependencies, "store" | "publicClient" | "semaphore">) {
  const groups = await deps.store.listGroups()
  const created = groups.filter((group) => group.status === "created")
  const read = (functionName: "getMerkleTreeSize" | "getMerkleTreeRoot", groupId: bigint) =>
    deps.publicClient.readContract({ address: deps.semaphore, abi: semaphoreAbi, functionName, args: [groupId] })
  const listed = await Promise.all(
    created.map(async (group) => ({
      level: group.level,
      groupId: group.groupId!.toString(),
      size: Number(await read("getMerkleTreeSize", group.groupId!)),
      root: (await read("getMerkleTreeRoot", group.groupId!)).toString(),
    })),
  )
  return { semaphore: deps.semaphore, groups: listed }
}

/** Bigints as decimal strings: JSON numbers lose precision above 2^53. */
function viewJson(view: EnrollmentView) {
  return {
    commitment: view.commitment.toString(),
    status: view.status,
    level: view.level,
    expiresAt: view.expiresAt.toISOString(),
    ...(view.groupId === undefined ? {} : { groupId: view.groupId.toString() }),
    ...(view.leafIndex === undefined ? {} : { leafIndex: view.leafIndex }),
    ...(view.txHash === undefined ? {} : { txHash: view.txHash }),
    ...(view.root === undefined ? {} : { root: view.root.toString() }),
    ...(view.replacesCommitment === undefined ? {} : { replacesCommitment: view.replacesCommitment.toString() }),
  }
}


function parseCommitment(text: string): bigint {
  if (!DECIMAL.test(text)) {
    throw new HumanmarkError("invalid_commitment", "A commitment is a decimal integer without sign or leading zeros.")
  }
  const commitment = BigInt(text)
  assertCommitmentInField(commitment)
  return commitment
}

