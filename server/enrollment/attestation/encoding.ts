// Browser-safe (no Buffer): webauthn-challenge.ts, which browsers import, uses these too.

const base64urlAlphabet = /^[A-Za-z0-9_-]*$/

export function encodeBase64url(bytes: Uint8Array): string {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
}

/**
 * Strict base64url (RFC 4648 section 5, no padding): undefined for anything else, including
 * non-canonical trailing bits, so one value has exactly one spelling (nonces are compared as text).
 */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!base64urlAlphabet.test(text) || text.length % 4 === 1) return undefined
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"))
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0))
  return encodeBase64url(bytes) === text ? bytes : undefined
}

export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false
  let difference = 0
  for (let index = 0; index < left.length; index++) difference |= left[index]! ^ right[index]!
  return difference === 0
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((length, part) => length + part.length, 0))
  let offset = 0
  for (const part of parts) {
    result.set(part, offset)
    offset += part.length
  }
  return result
}
