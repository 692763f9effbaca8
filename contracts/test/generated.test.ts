// The generated ABIs and bytecode in sdk/generated/ must be exactly what the compiler makes from the
// sources today: an edited contract without `npm run build:contracts` fails here.
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { compileContracts } from "../compile.ts"
import { linkBytecode } from "../deploy.ts"
import { renderGeneratedFiles } from "../generate.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

test("sdk/generated matches a fresh compilation of the Solidity sources", () => {
  const files = renderGeneratedFiles(compileContracts())
  assert.ok(Object.keys(files).length >= 2)
  for (const [path, expected] of Object.entries(files)) {
    const committed = readFileSync(join(root, path), "utf8")
    assert.ok(committed === expected, `${path} is stale: run \`npm run build:contracts\` and commit the result`)
  }
})

test("linking fills every library placeholder and refuses a missing library", () => {
  const artifact = {
    bytecode: `0x60${"__$placeholder_for_library_34_chars$__".padEnd(40, "_")}60` as const,
    linkReferences: [{ library: "lib.sol:Lib", offsets: [1] }],
  }
  const address = "0x00000000000000000000000000000000000000aB"
  assert.equal(linkBytecode(artifact, { "lib.sol:Lib": address }), `0x60${"00000000000000000000000000000000000000ab"}60`)
  assert.throws(() => linkBytecode(artifact, {}), /No address given for library lib.sol:Lib/)
})
