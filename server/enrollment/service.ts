import { randomBytes } from "node:crypto"
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import type { Hex } from "viem"
import { HumanmarkError } from "../../sdk/errors.ts"
import { assertCommitmentInField } from "./attestation/commitment.ts"
import { concatBytes, encodeBase64url } from "./attestation/encoding.ts"
import type { AttestationRegistry } from "./attestation/registry.ts"
import type { AttestationLevel } from "./attestation/types.ts"
import type { Challenge, Enrollment, EnrollmentDecisionState, EnrollmentPlan, EnrollmentStatus, EnrollmentStore } from "./store.ts"

export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60_000
const MIN_SERVER_SECRET_BYTES = 32

/** The stable codes the enrollment service throws, besides the attestation verifiers' own. */
export type EnrollmentErrorCode =
  /** 400: no challenge with this nonce was issued here. */
  | "challenge_unknown"
  /** 409: the challenge was already used for an enrollment (a replay). */
  | "challenge_used"
  /** 410: the challenge expired; ask for a new one. */
  | "challenge_expired"
  /** 400: the challenge was issued for another commitment. */
  | "challenge_commitment_mismatch"
  /** 409: this person (or device key) already has an active commitment at this level; send `recover: true` to replace it. */
  | "already_enrolled"
  /** 409: a `device`-level key is shared by many devices, so it cannot prove who may replace a commitment. */
  | "device_key_already_used"
  /** 409: this commitment is already enrolled. */
  | "commitment_already_enrolled"
  /** 403: the attestation's issuer (root) was revoked by an administrator. */
  | "issuer_revoked"
  /** 403: this person's enrollment at this level was revoked by an administrator. */
  | "person_revoked"
  /** 404: no enrollment holds this commitment. */
  | "enrollment_not_found"

const statusByCode: Record<EnrollmentErrorCode, number> = {
  challenge_unknown: 400,
  challenge_used: 409,
  challenge_expired: 410,
  challenge_commitment_mismatch: 400,
  already_enrolled: 409,
  device_key_already_used: 409,
  commitment_already_enrolled: 409,
  issuer_revoked: 403,
  person_revoked: 403,
  enrollment_not_found: 404,
}

export function enrollmentError(code: EnrollmentErrorCode, message: string, options: { details?: string } = {}): HumanmarkError {
  return new HumanmarkError(code, message, { ...options, status: statusByCode[code] })
}

export interface EnrollmentServiceOptions {
  store: EnrollmentStore
  registry: AttestationRegistry
  /** Keys the uniqueness HMAC; at least 32 bytes, kept for the life of the deployment (changing it forgets who enrolled). */
  serverSecret: Uint8Array
  /** How long a challenge may be answered. Default 5 minutes. */
  challengeTtlMs?: number
  /** The clock; tests pass a fixed one. */
  now?: () => Date
  /** Called after an enrollment or revocation is durably written, e.g. to wake the group worker. */
  onQueued?: () => void
}

export interface CreateChallengeReturnType {
  nonce: string
  expiresAt: Date
}

export interface EnrollParameters {
  format: string
  attestation: unknown
  commitment: bigint
  nonce: string
  /** The person lost their identity: replace their active commitment instead of refusing. */
  recover?: boolean
}

/** What anyone may learn about a commitment's enrollment (never the issuer or the uniqueness HMAC). */
export interface EnrollmentView {
  commitment: bigint
  status: EnrollmentStatus
  level: AttestationLevel
  expiresAt: Date
  /** Present once in the group. */
  groupId?: bigint
  leafIndex?: number
  txHash?: Hex
  /** The group root right after this commitment was inserted. */
  root?: bigint
  /** For recoveries: the commitment this one replaces (or replaced) in the group. */
  replacesCommitment?: bigint
}

export interface EnrollmentService {
  createChallenge(commitment: bigint): Promise<CreateChallengeReturnType>
  /** Verifies, checks uniqueness, and durably queues the commitment for the group; resolves only after the write. */
  enroll(parameters: EnrollParameters): Promise<EnrollmentView>
  getEnrollment(commitment: bigint): Promise<EnrollmentView>
  /** Revokes the person behind the commitment at its level; the worker removes them from the group. Returns the commitments revoked. */
  revoke(commitment: bigint): Promise<bigint[]>
  /** Revokes everything an issuer (root fingerprint) vouched for, and refuses it from now on. */
  revokeIssuer(issuer: string): Promise<bigint[]>
}

/** `HMAC-SHA256(serverSecret, issuer || 0x00 || uniquenessKey)` in hex; the zero byte keeps (issuer, key) pairs from running together. */
export function uniquenessHmac(serverSecret: Uint8Array, issuer: string, uniquenessKey: Uint8Array): string {
  return bytesToHex(hmac(sha256, serverSecret, concatBytes(new TextEncoder().encode(issuer), new Uint8Array([0]), uniquenessKey)))
}

export function createEnrollmentService(options: EnrollmentServiceOptions): EnrollmentService {
  const { store, registry, serverSecret } = options
  if (serverSecret.length < MIN_SERVER_SECRET_BYTES) {
    throw new HumanmarkError("enrollment_configuration_invalid", `The enrollment server secret must be at least ${MIN_SERVER_SECRET_BYTES} bytes.`, {
      status: 500,
    })
  }
  const challengeTtlMs = options.challengeTtlMs ?? DEFAULT_CHALLENGE_TTL_MS
  const now = options.now ?? (() => new Date())

  async function createChallenge(commitment: bigint): Promise<CreateChallengeReturnType> {
    assertCommitmentInField(commitment)
    const createdAt = now()
    const challenge = { nonce: encodeBase64url(randomBytes(32)), commitment, createdAt, expiresAt: new Date(createdAt.getTime() + challengeTtlMs) }
    await store.saveChallenge(challenge)
    return { nonce: challenge.nonce, expiresAt: challenge.expiresAt }
  }

  async function enroll(parameters: EnrollParameters): Promise<EnrollmentView> {
    const { format, attestation, commitment, nonce } = parameters
    assertCommitmentInField(commitment)
    const at = now()
    // Checked before verifying, so a replay is reported as one; checked again inside the write.
    checkChallenge(await store.getChallenge(nonce), { commitment, now: at })
    const verified = await registry.verify(format, { attestation, commitment, challenge: nonce, now: at })
    if (await store.isIssuerRevoked(verified.issuer)) {
      throw enrollmentError("issuer_revoked", "The maker or authority that vouched for this attestation was revoked on this server.")
    }
    const hmacHex = uniquenessHmac(serverSecret, verified.issuer, verified.uniquenessKey)
    const enrollment = await store.recordEnrollment({
      nonce,
      now: at,
      commitment,
      level: verified.level,
      uniquenessHmac: hmacHex,
      decide: (state) =>
        planEnrollment(state, {
          commitment,
          now: at,
          recover: parameters.recover === true,
          enrollment: { commitment, level: verified.level, issuer: verified.issuer, uniquenessHmac: hmacHex, expiresAt: verified.expiresAt },
        }),
    })
    options.onQueued?.()
    return toView(enrollment)
  }

  async function getEnrollment(commitment: bigint): Promise<EnrollmentView> {
    assertCommitmentInField(commitment)
    const enrollment = await store.getEnrollment(commitment)
    if (!enrollment) throw enrollmentError("enrollment_not_found", "No enrollment holds this commitment.")
    return toView(enrollment)
  }

  async function revoke(commitment: bigint): Promise<bigint[]> {
    assertCommitmentInField(commitment)
    if (!(await store.getEnrollment(commitment))) throw enrollmentError("enrollment_not_found", "No enrollment holds this commitment.")
    const revoked = await store.revokePerson(commitment, now())
    options.onQueued?.()
    return revoked
  }

  async function revokeIssuer(issuer: string): Promise<bigint[]> {
    const revoked = await store.revokeIssuer(issuer, now())
    options.onQueued?.()
    return revoked
  }

  return { createChallenge, enroll, getEnrollment, revoke, revokeIssuer }
}

function checkChallenge(challenge: Challenge | undefined, expected: { commitment: bigint; now: Date }): void {
  if (!challenge) throw enrollmentError("challenge_unknown", "This server issued no such challenge.", { details: "Ask POST /challenge for one." })
  if (challenge.usedAt) throw enrollmentError("challenge_used", "This challenge was already used; each one enrolls once.")
  if (challenge.expiresAt.getTime() <= expected.now.getTime()) {
    throw enrollmentError("challenge_expired", "This challenge expired; ask for a new one.")
  }
  if (challenge.commitment !== expected.commitment) {
    throw enrollmentError("challenge_commitment_mismatch", "This challenge was issued for another commitment.")
  }
}

/**
 * The uniqueness rules, run inside the enrollment transaction:
 * - one commitment, one enrollment; a person revoked at a level stays out of it;
 * - one active commitment per person per level: a second enrollment is refused unless it is a
 *   recovery, which replaces the newest active commitment (on chain with `updateMember`, or at
 *   once if that one never reached the chain);
 * - at level `device` a recovery is refused. Its uniqueness key comes from a WebAuthn batch
 *   attestation certificate that the maker puts in 100,000 or more authenticators, so "same key"
 *   does not mean "same person": honouring it would let any stranger holding the same model evict
 *   the commitment of whoever enrolled with it first.
 */
export function planEnrollment(
  state: EnrollmentDecisionState,
  input: { commitment: bigint; now: Date; recover: boolean; enrollment: Omit<EnrollmentPlan["insert"], "replacesCommitment"> },
): EnrollmentPlan {
  checkChallenge(state.challenge, input)
  if (state.existingCommitment) throw enrollmentError("commitment_already_enrolled", "This commitment is already enrolled.")
  if (state.samePerson.some((enrollment) => enrollment.status === "revoked")) {
    throw enrollmentError("person_revoked", "This person's enrollment at this level was revoked.")
  }
  const active = state.samePerson.filter((enrollment) => enrollment.status === "pending" || enrollment.status === "in_group")
  const newest = active.at(-1)
  if (!newest) return { insert: { ...input.enrollment, replacesCommitment: undefined }, replaceWithoutChain: [] }
  if (!input.recover) {
    throw enrollmentError("already_enrolled", `This ${input.enrollment.level === "person" ? "person" : "device key"} already has an enrolled commitment at this level.`, {
      details: "If the identity was lost, enroll again with recover: true to replace it.",
    })
  }
  if (input.enrollment.level === "device") {
    throw enrollmentError("device_key_already_used", "This authenticator's attestation key already enrolled a commitment, and cannot replace it.", {
      details: "Device attestation keys are shared by many authenticators, so they cannot show that you are the person who enrolled first.",
    })
  }
  const neverOnChain = newest.status === "pending" && newest.transactionId === undefined && newest.leafIndex === undefined
  if (neverOnChain) {
    return { insert: { ...input.enrollment, replacesCommitment: newest.replacesCommitment }, replaceWithoutChain: [newest.commitment] }
  }
  return { insert: { ...input.enrollment, replacesCommitment: newest.commitment }, replaceWithoutChain: [] }
}

function toView(enrollment: Enrollment): EnrollmentView {
  const view: EnrollmentView = {
    commitment: enrollment.commitment,
    status: enrollment.status,
    level: enrollment.level,
    expiresAt: enrollment.expiresAt,
  }
  if (enrollment.groupId !== undefined) view.groupId = enrollment.groupId
  if (enrollment.leafIndex !== undefined) view.leafIndex = enrollment.leafIndex
  if (enrollment.txHash !== undefined) view.txHash = enrollment.txHash
  if (enrollment.root !== undefined) view.root = enrollment.root
  if (enrollment.replacesCommitment !== undefined) view.replacesCommitment = enrollment.replacesCommitment
  return view
}
