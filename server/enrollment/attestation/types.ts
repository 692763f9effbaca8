/**
 * What an enrollment attestation proves. `person`: a personhood device vouches that this is one
 * particular human (the uniqueness key is per person). `device`: only that a genuine hardware
 * authenticator was used (the uniqueness key is per authenticator, or per batch of them).
 */
export type AttestationLevel = "person" | "device"

export interface VerifyAttestationInput {
  /** The attestation as the client sent it (already parsed from JSON); each format validates its own shape. */
  attestation: unknown
  /** The Semaphore identity commitment being enrolled; must be in the BN254 scalar field. */
  commitment: bigint
  /** The single-use nonce the server issued for this enrollment, base64url without padding. */
  challenge: string
  /** The time to check certificates and freshness against; passed in so tests and replays are deterministic. */
  now: Date
}

export interface VerifiedAttestation {
  /**
   * The value that makes "one person (or device), one commitment" enforceable. Stored only as
   * `HMAC(serverSecret, issuer || uniquenessKey)`, never in the clear.
   */
  uniquenessKey: Uint8Array
  level: AttestationLevel
  /** Who vouches: the sha256 fingerprint (lowercase hex) of the configured root certificate the chain ends at. */
  issuer: string
  /** When the enrollment stops being backed by valid certificates. */
  expiresAt: Date
}

/** One attestation format (`device-statement`, `webauthn`, ...), as a plug-in the registry picks by `format`. */
export interface AttestationVerifier {
  readonly format: string
  /** Resolves with what the attestation proves, or rejects with a HumanmarkError carrying an {@link AttestationErrorCode}. */
  verify(input: VerifyAttestationInput): Promise<VerifiedAttestation>
}

/** The stable codes verifiers throw. Match on these, never on messages. */
export type AttestationErrorCode =
  /** 400: not decodable (bad base64url, CBOR, DER, JSON, or missing fields). */
  | "attestation_malformed"
  /** 400: the registry has no verifier for the requested format. */
  | "unknown_attestation_format"
  /** 400: the commitment is negative or not below the BN254 scalar field order. */
  | "commitment_out_of_field"
  /** 401: a signature over the statement (or the attestation) does not verify. */
  | "attestation_signature_invalid"
  /** 401: two certificates of the chain do not link (name, signature, CA flag, path length, critical extension). */
  | "attestation_chain_invalid"
  /** 401: the chain does not end at one of the configured roots. */
  | "attestation_untrusted_root"
  /** 401: a certificate of the chain is past its notAfter at `now`. */
  | "attestation_certificate_expired"
  /** 401: a certificate of the chain is before its notBefore at `now`. */
  | "attestation_certificate_not_yet_valid"
  /** 401: the attestation answers another challenge (another nonce, or for webauthn possibly another commitment). */
  | "attestation_challenge_mismatch"
  /** 401: the attestation was made for another commitment. */
  | "attestation_commitment_mismatch"
  /** 401: the statement is older than the allowed maximum age (a replay, or a very slow client). */
  | "attestation_stale"
  /** 401: the statement claims to be issued in the future (beyond the allowed clock skew). */
  | "attestation_issued_in_future"
  /** 401: the WebAuthn ceremony ran for another origin. */
  | "attestation_origin_mismatch"
  /** 401: the WebAuthn credential is scoped to another relying party ID. */
  | "attestation_rp_id_mismatch"
  /** 401: @simplewebauthn/server rejected the registration response (details say why). */
  | "attestation_invalid"
  /** 422: a well-formed attestation of a kind this server refuses (`none`, self attestation, anonymous or unconfigured formats). */
  | "attestation_format_refused"
