import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { createTestPng } from "../../test/support/c2pa/images.ts"
import { bytesMatchC2paMimeType, canonicalC2paMimeType, sniffC2paMimeType } from "./formats.ts"

const text = (value: string) => new TextEncoder().encode(value)
const ftyp = (brand: string) => Uint8Array.of(0, 0, 0, 16, ...text("ftyp"), ...text(brand), 0, 0, 0, 0)

describe("C2PA formats", () => {
  it("canonicalises declared media types and refuses unknown ones", () => {
    assert.equal(canonicalC2paMimeType("image/JPG"), "image/jpeg")
    assert.equal(canonicalC2paMimeType(" image/png; charset=binary"), "image/png")
    assert.equal(canonicalC2paMimeType("audio/x-wav"), "audio/wav")
    assert.equal(canonicalC2paMimeType("text/plain"), undefined)
  })

  it("recognises formats from their first bytes", () => {
    assert.equal(sniffC2paMimeType(createTestPng()), "image/png")
    assert.equal(sniffC2paMimeType(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), "image/jpeg")
    assert.equal(sniffC2paMimeType(text("RIFF\x04\x00\x00\x00WEBPVP8 ")), "image/webp")
    assert.equal(sniffC2paMimeType(text("RIFF\x04\x00\x00\x00WAVEfmt ")), "audio/wav")
    assert.equal(sniffC2paMimeType(ftyp("heic")), "image/heic")
    assert.equal(sniffC2paMimeType(ftyp("avif")), "image/avif")
    assert.equal(sniffC2paMimeType(ftyp("isom")), "video/mp4")
    assert.equal(sniffC2paMimeType(text("%PDF-1.7\n")), "application/pdf")
    assert.equal(sniffC2paMimeType(text('\uFEFF<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')), "image/svg+xml")
    assert.equal(sniffC2paMimeType(text("GIF89a")), "image/gif")
    assert.equal(sniffC2paMimeType(text("hello world")), undefined)
    assert.equal(sniffC2paMimeType(new Uint8Array(0)), undefined)
  })

  it("checks that bytes are of the declared type's container", () => {
    assert.equal(bytesMatchC2paMimeType(createTestPng(), "image/png"), true)
    assert.equal(bytesMatchC2paMimeType(createTestPng(), "image/webp"), false)
    assert.equal(bytesMatchC2paMimeType(ftyp("isom"), "image/heic"), true, "BMFF brands vary; the container decides")
    assert.equal(bytesMatchC2paMimeType(text("RIFF\x04\x00\x00\x00WAVE"), "image/webp"), false)
  })
})
