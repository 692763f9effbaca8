import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { test } from "node:test"
import manifest from "./artifact-manifest.json"
import { checkArtifactBytes, semaphoreArtifactName, semaphoreArtifactsVersion } from "./artifacts.ts"
import { loadSemaphoreArtifacts, semaphoreArtifactsDir } from "./artifacts.node.ts"

test("the manifest pins every official artifact of depths 1..32 at version 4.13.0", () => {
  assert.equal(semaphoreArtifactsVersion, "4.13.0")
  for (let depth = 1; depth <= 32; depth += 1) {
    for (const kind of ["wasm", "zkey", "json"] as const) {
      assert.match((manifest.sha256 as Record<string, string>)[semaphoreArtifactName(depth, kind)] ?? "", /^[0-9a-f]{64}$/)
    }
  }
})

test("the installed package is the pinned version", async () => {
  const installed = JSON.parse(await readFile(join(semaphoreArtifactsDir(), "package.json"), "utf8")) as { version: string }
  assert.equal(installed.version, semaphoreArtifactsVersion)
})

test("loading checks the bytes: the installed depth-20 artifacts pass, one flipped bit fails", async () => {
  const artifacts = await loadSemaphoreArtifacts(20)
  assert.equal(artifacts.depth, 20)
  assert.ok(artifacts.zkey.length > 1_000_000)

  const tampered = new Uint8Array(artifacts.wasm)
  tampered[tampered.length >> 1]! ^= 1
  assert.throws(
    () => checkArtifactBytes("semaphore-20.wasm", tampered),
    (error: unknown) => (error as { code?: string }).code === "artifact_checksum_mismatch",
  )
  assert.throws(() => checkArtifactBytes("semaphore-99.wasm", tampered), { code: "unknown_artifact" })
})

test("depths outside 1..32 are refused with a typed error", async () => {
  for (const depth of [0, 33, 1.5, Number.NaN]) {
    assert.throws(() => semaphoreArtifactName(depth, "wasm"), { code: "invalid_tree_depth" })
  }
  await assert.rejects(loadSemaphoreArtifacts(40), { code: "invalid_tree_depth" })
})
