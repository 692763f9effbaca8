// Tiny valid images built in code, so C2PA tests need no committed fixture files.
import { crc32, deflateSync } from "node:zlib"

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = new TextEncoder().encode(type)
  const chunk = Buffer.alloc(12 + data.length)
  chunk.writeUInt32BE(data.length, 0)
  chunk.set(typeBytes, 4)
  chunk.set(data, 8)
  chunk.writeUInt32BE(crc32(Buffer.concat([typeBytes, data])), 8 + data.length)
  return chunk
}

export interface TestPngOptions {
  width?: number
  height?: number
  /** RGB of every pixel. */
  color?: [number, number, number]
}

/** An 8-bit RGB PNG of one color. */
export function createTestPng(options: TestPngOptions = {}): Uint8Array {
  const { width = 16, height = 16, color = [200, 30, 60] } = options
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // bit depth 8, color type RGB, deflate, no filter, no interlace
  const row = [0, ...Array.from({ length: width }, () => color).flat()] // filter byte "none" first
  const pixels = Uint8Array.from(Array.from({ length: height }, () => row).flat())
  const chunks = [pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(pixels)), pngChunk("IEND", new Uint8Array(0))]
  return new Uint8Array(Buffer.concat([PNG_SIGNATURE, ...chunks]))
}

/**
 * Changes one byte of the image data (the first IDAT chunk) and fixes the chunk's CRC: the chunk
 * structure stays intact, as an edit would leave it, but the pixels no longer match what was signed.
 */
export function tamperPngPixels(png: Uint8Array): Uint8Array {
  const copy = Buffer.from(png)
  let offset = PNG_SIGNATURE.length
  while (offset < copy.length) {
    const length = copy.readUInt32BE(offset)
    const type = copy.toString("latin1", offset + 4, offset + 8)
    if (type === "IDAT") {
      const dataStart = offset + 8
      copy[dataStart + Math.floor(length / 2)]! ^= 0xff
      copy.writeUInt32BE(crc32(copy.subarray(offset + 4, dataStart + length)), dataStart + length)
      return new Uint8Array(copy)
    }
    offset += 12 + length
  }
  throw new Error("No IDAT chunk in this PNG.")
}

/** Where a byte sequence first occurs, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from)
}
