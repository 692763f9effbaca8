import { HumanmarkError } from "../../../sdk/errors.ts"
import type { AttestationErrorCode } from "./types.ts"

const statusByCode: Record<AttestationErrorCode, number> = {
  attestation_malformed: 400,
  unknown_attestation_format: 400,
  commitment_out_of_field: 400,
  attestation_signature_invalid: 401,
  attestation_chain_invalid: 401,
  attestation_untrusted_root: 401,
  attestation_certificate_expired: 401,
  attestation_certificate_not_yet_valid: 401,
  attestation_challenge_mismatch: 401,
  attestation_commitment_mismatch: 401,
  attestation_stale: 401,
  attestation_issued_in_future: 401,
  attestation_origin_mismatch: 401,
  attestation_rp_id_mismatch: 401,
  attestation_invalid: 401,
  attestation_format_refused: 422,
}

/** A HumanmarkError whose status follows from its code, so every verifier answers alike. */
export function attestationError(
  code: AttestationErrorCode,
  message: string,
  options: { details?: string; cause?: unknown } = {},
): HumanmarkError {
  return new HumanmarkError(code, message, { ...options, status: statusByCode[code] })
}
