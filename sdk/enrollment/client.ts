// Talking to a humanmark server about enrollment: challenges, attestations, status, Merkle proofs
// and the personhood groups. Browser and Node alike.
import type { Identity, MerkleProof } from "@semaphore-protocol/core"
import type { HumanmarkClient } from "../client.ts"
import { HumanmarkError } from "../errors.ts"
import { parseCommitment } from "./commitment.ts"

/**
 * `pending`: stored, waiting for the group worker. `in_group`: a leaf of the on-chain group.
 * `replaced`: a recovery put a newer commitment in its place. `revoked`: an administrator removed it.
 */
export type EnrollmentStatus = "pending" | "in_group" | "replaced" | "revoked"

/**
 * `person`: a personhood device vouched for one particular human. `device`: only that a genuine
 * hardware authenticator took part (WebAuthn batch keys are shared by many devices).
 */
export type EnrollmentLevel = "person" | "device"

/** What the server tells anyone about a commitment's enrollment. */
export interface Enrollment {
  commitment: bigint
  status: EnrollmentStatus
  level: EnrollmentLevel
  /** When the attestation behind it stops being backed by valid certificates. */
  expiresAt: Date
  /** The on-chain Semaphore group, once in it. */
  groupId?: bigint
  leafIndex?: number
  /** The transaction that put the commitment in the group. */
  txHash?: string
  /** The group root right after this commitment was inserted. */
  root?: bigint
  /** For recoveries: the commitment this one replaces (or replaced). */
  replacesCommitment?: bigint
}

/** Either the identity, or only its public commitment (when the secret lives elsewhere). */
export type EnrollmentSubject = { identity: Identity; commitment?: never } | { commitment: bigint | string; identity?: never }

export interface EnrollmentChallenge {
  /** Single use, base64url: the attestation must commit to it. */
  nonce: string
  expiresAt: Date
}

/**
 * Asks the server for a challenge bound to the commitment. A device signs it into its attestation
 * (for WebAuthn, through `webauthnChallengeFor(commitment, nonce)`); each challenge enrolls once.
 * Throws `invalid_commitment` for a commitment outside the field.
 */
export async function requestChallenge(client: HumanmarkClient, commitment: bigint | string): Promise<EnrollmentChallenge> {
  const answer = await client.request<{ nonce: string; expiresAt: string }>("/v1/enrollments/challenge", {
    body: { commitment: parseCommitment(commitment).toString() },
  })
  return { nonce: answer.nonce, expiresAt: new Date(answer.expiresAt) }
}

export type EnrollParameters = EnrollmentSubject & {
  /** The attestation format the server verifies it with: `device-statement` or `webauthn`. */
  format: string
  /** What the device produced: base64url text for `device-statement`, the registration response JSON for `webauthn`. */
  attestation: unknown
  /** The nonce of the challenge the attestation answers. */
  nonce: string
  /** The person lost their identity: replace their enrolled commitment instead of being refused. */
  recover?: boolean
}

/**
 * Submits an attestation; resolves once the server has stored the enrollment (usually `pending`:
 * the group worker adds it on chain shortly after, see {@link waitForEnrollment}).
 *
 * Fails with the server's codes, among them: `already_enrolled` (this person already has a
 * commitment at this level; pass `recover: true` to replace it), `commitment_already_enrolled`,
 * `challenge_unknown`, `challenge_used`, `challenge_expired`, `challenge_commitment_mismatch`,
 * `unknown_attestation_format` and the verifiers' `attestation_*` codes.
 */
export async function enroll(client: HumanmarkClient, parameters: EnrollParameters): Promise<Enrollment> {
  const commitment = subjectCommitment(parameters)
  const answer = await client.request<EnrollmentJson>("/v1/enrollments", {
    body: {
      format: parameters.format,
      attestation: parameters.attestation,
      commitment: commitment.toString(),
      nonce: parameters.nonce,
      ...(parameters.recover === undefined ? {} : { recover: parameters.recover }),
    },
  })
  return parseEnrollment(answer)
}

export type EnrollWithDevAttesterParameters = EnrollmentSubject & {
  /**
   * Who the "person" is, e.g. a name: the dev attester derives the same person key from the same
   * text (case and surrounding spaces ignored), so a second enrollment under it is refused.
   */
  person: string
  recover?: boolean
}

/**
 * Challenge, attestation from the server's dev attester, enrollment: the whole flow without a
 * device. Only servers on their embedded local chain run the dev attester (it signs anything for
 * anyone); others answer `dev_attester_disabled`.
 */
export async function enrollWithDevAttester(client: HumanmarkClient, parameters: EnrollWithDevAttesterParameters): Promise<Enrollment> {
  const commitment = subjectCommitment(parameters)
  const { nonce } = await requestChallenge(client, commitment)
  const attested = await client.request<{ format: string; attestation: string }>("/v1/enrollments/dev-attestation", {
    body: { commitment: commitment.toString(), nonce, person: parameters.person },
  })
  return enroll(client, {
    commitment,
    format: attested.format,
    attestation: attested.attestation,
    nonce,
    ...(parameters.recover === undefined ? {} : { recover: parameters.recover }),
  })
}

/** The enrollment holding this commitment; `enrollment_not_found` when there is none. */
export async function getEnrollment(client: HumanmarkClient, commitment: bigint | string): Promise<Enrollment> {
  return parseEnrollment(await client.request<EnrollmentJson>(`/v1/enrollments/${parseCommitment(commitment)}`))
}

export interface WaitForEnrollmentParameters {
  commitment: bigint | string
  /** Give up after this long with `enrollment_timeout`; default 5 minutes. */
  timeoutMs?: number
  /** Between two polls; default 1 s. */
  intervalMs?: number
  /** Called with every status read, so callers can show where it stands. */
  onProgress?: (enrollment: Enrollment) => void
}

/**
 * Polls until the commitment is in the on-chain group, then returns its enrollment (leaf index,
 * root, transaction). Throws `enrollment_timeout` when it is still pending at the deadline, and
 * `enrollment_revoked` or `enrollment_replaced` as soon as it can never get there.
 */
export async function waitForEnrollment(client: HumanmarkClient, parameters: WaitForEnrollmentParameters): Promise<Enrollment> {
  const commitment = parseCommitment(parameters.commitment)
  const intervalMs = parameters.intervalMs ?? 1_000
  const deadline = Date.now() + (parameters.timeoutMs ?? 300_000)
  for (;;) {
    const enrollment = await getEnrollment(client, commitment)
    parameters.onProgress?.(enrollment)
    if (enrollment.status === "in_group") return enrollment
    if (enrollment.status === "revoked") {
      throw new HumanmarkError("enrollment_revoked", "This enrollment was revoked; it will not enter the group.", { status: 410 })
    }
    if (enrollment.status === "replaced") {
      throw new HumanmarkError("enrollment_replaced", "A recovery replaced this commitment with a newer one; it will not enter the group.", {
        details: "Use the identity that enrolled last.",
        status: 410,
      })
    }
    if (Date.now() + intervalMs > deadline) {
      throw new HumanmarkError("enrollment_timeout", `The enrollment of ${commitment} is still ${enrollment.status}; gave up waiting for the group.`, {
        details: "The server keeps working on it; ask again later (GET /v1/enrollments/<commitment>).",
        status: 504,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * A Semaphore Merkle proof of membership, as `generateSemaphoreProof` takes it for `group`, with
 * the on-chain group it belongs to and the block it was read at.
 */
export interface EnrollmentMerkleProof extends MerkleProof {
  groupId: bigint
  blockNumber: bigint
}

/**
 * The commitment's path in its on-chain group as of the latest block. Throws
 * `enrollment_not_in_group` while it is pending (or after it left), `enrollment_not_found` for a
 * commitment never enrolled. A proof made with it is valid while its root is one the group accepts.
 */
export async function getMerkleProof(client: HumanmarkClient, commitment: bigint | string): Promise<EnrollmentMerkleProof> {
  const answer = await client.request<{ groupId: string; root: string; leaf: string; index: number; siblings: string[]; blockNumber: string }>(
    `/v1/enrollments/${parseCommitment(commitment)}/merkle-proof`,
  )
  return {
    groupId: BigInt(answer.groupId),
    root: BigInt(answer.root),
    leaf: BigInt(answer.leaf),
    index: answer.index,
    siblings: answer.siblings.map((sibling) => BigInt(sibling)),
    blockNumber: BigInt(answer.blockNumber),
  }
}

export interface PersonhoodGroup {
  level: EnrollmentLevel
  groupId: bigint
  /** Leaves in the on-chain tree (removed members leave a zero leaf and still count). */
  size: number
  root: bigint
}

export interface ListGroupsReturnType {
  /** The Semaphore contract the groups live in. */
  semaphore: string
  /** One group per level that has had an enrollment; a level is created on chain at its first member. */
  groups: PersonhoodGroup[]
}

/** The server's personhood groups, with their on-chain id, size and root. */
export async function listGroups(client: HumanmarkClient): Promise<ListGroupsReturnType> {
  const answer = await client.request<{ semaphore: string; groups: { level: EnrollmentLevel; groupId: string; size: number; root: string }[] }>("/v1/groups")
  return {
    semaphore: answer.semaphore,
    groups: answer.groups.map((group) => ({ level: group.level, groupId: BigInt(group.groupId), size: group.size, root: BigInt(group.root) })),
  }
}

/** An enrollment as the JSON the CLI prints and the server sends: bigints as decimal text. */
export function enrollmentToJson(enrollment: Enrollment): EnrollmentJson {
  return {
    commitment: enrollment.commitment.toString(),
    status: enrollment.status,
    level: enrollment.level,
    expiresAt: enrollment.expiresAt.toISOString(),
    ...(enrollment.groupId === undefined ? {} : { groupId: enrollment.groupId.toString() }),
    ...(enrollment.leafIndex === undefined ? {} : { leafIndex: enrollment.leafIndex }),
    ...(enrollment.txHash === undefined ? {} : { txHash: enrollment.txHash }),
    ...(enrollment.root === undefined ? {} : { root: enrollment.root.toString() }),
    ...(enrollment.replacesCommitment === undefined ? {} : { replacesCommitment: enrollment.replacesCommitment.toString() }),
  }
}

/** The wire form of {@link Enrollment}. */
export interface EnrollmentJson {
  commitment: string
  status: EnrollmentStatus
  level: EnrollmentLevel
  expiresAt: string
  groupId?: string
  leafIndex?: number
  txHash?: string
  root?: string
  replacesCommitment?: string
}

function parseEnrollment(json: EnrollmentJson): Enrollment {
  if (typeof json?.commitment !== "string" || typeof json.status !== "string" || typeof json.expiresAt !== "string") {
    throw new HumanmarkError("bad_server_response", "The server's enrollment answer lacks commitment, status or expiresAt.", { status: 502 })
  }
  return {
    commitment: BigInt(json.commitment),
    status: json.status,
    level: json.level,
    expiresAt: new Date(json.expiresAt),
    ...(json.groupId === undefined ? {} : { groupId: BigInt(json.groupId) }),
    ...(json.leafIndex === undefined ? {} : { leafIndex: json.leafIndex }),
    ...(json.txHash === undefined ? {} : { txHash: json.txHash }),
    ...(json.root === undefined ? {} : { root: BigInt(json.root) }),
    ...(json.replacesCommitment === undefined ? {} : { replacesCommitment: BigInt(json.replacesCommitment) }),
  }
}

function subjectCommitment(subject: EnrollmentSubject): bigint {
  if (subject.identity) return subject.identity.commitment
  if (subject.commitment === undefined) throw new HumanmarkError("invalid_parameters", "Pass the identity or its commitment.")
  return parseCommitment(subject.commitment)
}
