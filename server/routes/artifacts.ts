import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Hono } from "hono"
import { HumanmarkError } from "../../sdk/errors.ts"
import { MAX_TREE_DEPTH, MIN_TREE_DEPTH, semaphoreArtifactName, semaphoreArtifactsVersion } from "../../sdk/semaphore/artifacts.ts"
import { semaphoreArtifactsDir } from "../../sdk/semaphore/artifacts.node.ts"

const ARTIFACT_FILE = /^semaphore-(\d{1,2})\.(wasm|zkey)$/

/**
 * `GET /semaphore/<version>/semaphore-<depth>.{wasm,zkey}`: the official Semaphore artifacts of the
 * pinned version, for browsers that prove. The version in the path makes each URL immutable, so
 * browsers cache them for good; the browser still checks every file's sha256 against the manifest
 * it was built with before proving.
 */
export function artifactRoutes() {
  const directory = semaphoreArtifactsDir()
  return new Hono().get("/semaphore/:version/:file", async (c) => {
    const { version, file } = c.req.param()
    const match = ARTIFACT_FILE.exec(file)
    const depth = Number(match?.[1])
    if (version !== semaphoreArtifactsVersion || !match || depth < MIN_TREE_DEPTH || depth > MAX_TREE_DEPTH) {
      throw new HumanmarkError("artifact_not_found", `No artifact ${version}/${file}; this server has @zk-kit/semaphore-artifacts@${semaphoreArtifactsVersion}.`, { status: 404 })
    }
    const name = semaphoreArtifactName(depth, match[2] as "wasm" | "zkey")
    const bytes = await readFile(join(directory, name))
    return c.body(bytes, 200, {
      "Content-Type": match[2] === "wasm" ? "application/wasm" : "application/octet-stream",
      "Cache-Control": "public, max-age=31536000, immutable",
    })
  })
}
