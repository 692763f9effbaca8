// Browser-safe on purpose: the enrollment page computes the same challenge before calling
// navigator.credentials.create, so this file imports nothing from Node or the server.
import { sha256 } from "@noble/hashes/sha2.js"
import { commitmentToBytes } from "./commitment.ts"
import { concatBytes, decodeBase64url, encodeBase64url } from "./encoding.ts"
import { attestationError } from "./errors.ts"

/** Domain separation: a WebAuthn challenge made for enrollment means nothing anywhere else. */
export const WEBAUTHN_CHALLENGE_DOMAIN = "humanmark-enroll-v1"

/**
 * The WebAuthn challenge that binds a registration to one enrollment:
 * `base64url(sha256(utf8("humanmark-enroll-v1") || commitment as 32 big-endian bytes || nonce bytes))`.
 * The authenticator signs over clientDataJSON, which carries this challenge, so its attestation
 * commits to both the identity commitment and the server's single-use nonce.
 *
 * @param nonce The server's enrollment nonce, base64url without padding.
 */
export function webauthnChallengeFor(commitment: bigint, nonce: string): string {
  const nonceBytes = decodeBase64url(nonce)
  if (!nonceBytes || nonceBytes.length === 0) {
    throw attestationError("attestation_malformed", "The enrollment nonce must be non-empty base64url.")
  }
  const domain = new TextEncoder().encode(WEBAUTHN_CHALLENGE_DOMAIN)
  return encodeBase64url(sha256(concatBytes(domain, commitmentToBytes(commitment), nonceBytes)))
}
