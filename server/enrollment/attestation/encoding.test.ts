import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { describe, it } from "node:test"
import { BN254_SCALAR_FIELD_ORDER, commitmentToBytes } from "./commitment.ts"
import { decodeBase64url, encodeBase64url } from "./encoding.ts"

describe("base64url", () => {
  it("round-trips and matches Node's encoder", () => {
    for (const length of [0, 1, 2, 3, 31, 32, 33]) {
      const bytes = new Uint8Array(randomBytes(length))
      const text = encodeBase64url(bytes)
      assert.equal(text, Buffer.from(bytes).toString("base64url"))
      assert.deepEqual(decodeBase64url(text), bytes)
    }
  })

  it("has one spelling per value: no padding, no +/, no stray trailing bits", () => {
    for (const text of ["AA==", "a+b/", "A", "AB", "AAB", "A A", "é"]) assert.equal(decodeBase64url(text), undefined, text)
  })
})

describe("commitmentToBytes", () => {
  it("writes 32 big-endian bytes", () => {
    assert.deepEqual(commitmentToBytes(0x0102n), Uint8Array.from({ length: 32 }, (_, index) => (index === 30 ? 1 : index === 31 ? 2 : 0)))
    assert.equal(Buffer.from(commitmentToBytes(BN254_SCALAR_FIELD_ORDER - 1n)).toString("hex"), (BN254_SCALAR_FIELD_ORDER - 1n).toString(16).padStart(64, "0"))
  })

  it("refuses values outside the BN254 scalar field", () => {
    assert.throws(() => commitmentToBytes(BN254_SCALAR_FIELD_ORDER), { code: "commitment_out_of_field", status: 400 })
    assert.throws(() => commitmentToBytes(-1n), { code: "commitment_out_of_field" })
  })
})
