// Compiles the Solidity sources and writes the generated ABIs and bytecode into sdk/generated/.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { compileContracts } from "./compile.ts"
import { renderGeneratedFiles } from "./generate.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const result = compileContracts()
for (const [path, content] of Object.entries(renderGeneratedFiles(result))) {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), content)
  console.log(`wrote ${path}`)
}
