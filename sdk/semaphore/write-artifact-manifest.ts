// Writes the sha256 manifest of the pinned Semaphore artifacts. Run it only when deliberately moving
// to a new artifacts version, after checking the new files against the published ones: the committed
// manifest is what every later proof trusts.
import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
const packageDir = dirname(require.resolve("@zk-kit/semaphore-artifacts/package.json"))
const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }

const files: Record<string, string> = {}
for (let depth = 1; depth <= 32; depth += 1) {
  for (const extension of ["wasm", "zkey", "json"]) {
    const name = `semaphore-${depth}.${extension}`
    files[name] = createHash("sha256").update(readFileSync(join(packageDir, name))).digest("hex")
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), "artifact-manifest.json")
writeFileSync(out, JSON.stringify({ package: "@zk-kit/semaphore-artifacts", version, sha256: files }, null, 2) + "\n")
console.log(`wrote ${out} (${Object.keys(files).length} files of version ${version})`)
