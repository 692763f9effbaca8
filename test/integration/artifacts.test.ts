// The server hands browsers the official Semaphore artifacts of the pinned version, cacheable for good.
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { after, before, test } from "node:test"
import manifest from "../../sdk/semaphore/artifact-manifest.json"
import { startTestStack, type TestStack } from "../support/stack.ts"

let stack: TestStack
before(async () => {
  stack = await startTestStack()
})
after(() => stack.cleanup())

test("artifacts are served byte for byte as pinned, with immutable caching", async () => {
  for (const name of ["semaphore-1.wasm", "semaphore-20.zkey"]) {
    const response = await fetch(`${stack.url}/artifacts/semaphore/${manifest.version}/${name}`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get("cache-control") ?? "", /immutable/)
    const sha256 = createHash("sha256").update(new Uint8Array(await response.arrayBuffer())).digest("hex")
    assert.equal(sha256, (manifest.sha256 as Record<string, string>)[name])
  }
})

test("other versions, unknown depths and other paths are typed 404s", async () => {
  for (const path of ["4.0.0/semaphore-1.wasm", `${manifest.version}/semaphore-33.wasm`, `${manifest.version}/semaphore-1.json`, `${manifest.version}/..%2Fpackage.json`]) {
    const response = await fetch(`${stack.url}/artifacts/semaphore/${path}`)
    assert.equal(response.status, 404, path)
    const body = (await response.json()) as { error: { code: string } }
    assert.ok(["artifact_not_found", "not_found"].includes(body.error.code), `${path}: ${body.error.code}`)
  }
})
