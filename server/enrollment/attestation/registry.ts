import { HumanmarkError } from "../../../sdk/errors.ts"
import { assertCommitmentInField } from "./commitment.ts"
import { attestationError } from "./errors.ts"
import type { AttestationVerifier, VerifiedAttestation, VerifyAttestationInput } from "./types.ts"

export interface AttestationRegistry {
  /** The formats this server accepts, in the order the verifiers were given. */
  readonly formats: readonly string[]
  /** The verifier for `format`; throws `unknown_attestation_format` (400) if there is none. */
  verifierFor(format: string): AttestationVerifier
  /** Checks the commitment, then lets the format's verifier decide. */
  verify(format: string, input: VerifyAttestationInput): Promise<VerifiedAttestation>
}

/**
 * Picks the verifier by the `format` the client names. Only the formats given here exist: an
 * operator who configures no device makers gets no `device-statement`, and unknown names are
 * refused rather than guessed.
 */
export function createAttestationRegistry(verifiers: readonly AttestationVerifier[]): AttestationRegistry {
  const byFormat = new Map<string, AttestationVerifier>()
  for (const verifier of verifiers) {
    if (byFormat.has(verifier.format)) {
      throw new HumanmarkError("attestation_configuration_invalid", `Two attestation verifiers claim the format "${verifier.format}".`, { status: 500 })
    }
    byFormat.set(verifier.format, verifier)
  }
  const formats = [...byFormat.keys()]

  function verifierFor(format: string): AttestationVerifier {
    const verifier = byFormat.get(format)
    if (!verifier) {
      throw attestationError("unknown_attestation_format", `This server does not accept the attestation format "${format}".`, {
        details: formats.length > 0 ? `Accepted formats: ${formats.join(", ")}.` : "This server accepts no attestations.",
      })
    }
    return verifier
  }

  async function verify(format: string, input: VerifyAttestationInput): Promise<VerifiedAttestation> {
    const verifier = verifierFor(format)
    assertCommitmentInField(input.commitment)
    return verifier.verify(input)
  }

  return { formats, verifierFor, verify }
}
