// A minimal DER (ASN.1) writer: just enough to build test X.509 certificates, because node:crypto
// signs and verifies but cannot create certificates, and no X.509 package is installed.

const concat = (parts: Uint8Array[]): Uint8Array => {
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length)
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Uint8Array.of(0x80 | bytes.length, ...bytes)
}

export function tagged(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content)
  return concat([Uint8Array.of(tag), encodeLength(body.length), body])
}

export const sequence = (...items: Uint8Array[]) => tagged(0x30, ...items)
export const set = (...items: Uint8Array[]) => tagged(0x31, ...items)
export const octetString = (bytes: Uint8Array) => tagged(0x04, bytes)
export const utf8String = (text: string) => tagged(0x0c, new TextEncoder().encode(text))
export const booleanTrue = () => Uint8Array.of(0x01, 0x01, 0xff)
/** `[n] EXPLICIT` wrapper (constructed, context-specific). */
export const explicit = (tagNumber: number, content: Uint8Array) => tagged(0xa0 | tagNumber, content)
/** `[n] IMPLICIT` primitive (context-specific), e.g. an authority key identifier's keyIdentifier. */
export const implicitPrimitive = (tagNumber: number, bytes: Uint8Array) => tagged(0x80 | tagNumber, bytes)

/** BIT STRING with a count of unused trailing bits in the last byte (key usage flags need it). */
export const bitString = (bytes: Uint8Array, unusedBits = 0) => tagged(0x03, Uint8Array.of(unusedBits), bytes)

export function integer(value: bigint): Uint8Array {
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  let bytes: Uint8Array = Uint8Array.from(Buffer.from(hex, "hex"))
  // A set high bit would read as negative: DER asks for a leading zero byte.
  if ((bytes[0] ?? 0) & 0x80) bytes = concat([Uint8Array.of(0), bytes])
  return tagged(0x02, bytes)
}

export function objectIdentifier(dotted: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const base128: number[] = []
    for (let value = arc; ; value = Math.floor(value / 128)) {
      base128.unshift((value % 128) | (base128.length > 0 ? 0x80 : 0))
      if (value < 128) break
    }
    bytes.push(...base128)
  }
  return tagged(0x06, Uint8Array.from(bytes))
}

/** UTCTime (years 1950-2049), as RFC 5280 asks for certificate validity in that range. */
export function utcTime(date: Date): Uint8Array {
  const two = (value: number) => String(value).padStart(2, "0")
  const text =
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    "Z"
  return tagged(0x17, new TextEncoder().encode(text))
}
