// Loads c2pa-wasm in Node from the installed package file. The package's default initializer would
// fetch the wasm by URL; reading the file keeps validation offline.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as c2paWasm from "@contentauth/c2pa-wasm"

const require = createRequire(import.meta.url)

let initialized = false

/**
 * The c2pa-wasm bindings, instantiated on first use. wasm-bindgen keeps one instance per module
 * anyway, so this is process-wide by nature; instantiating takes ~60 ms and is done once.
 */
export function loadC2paWasm(): typeof c2paWasm {
  if (!initialized) {
    const bytes = readFileSync(require.resolve("@contentauth/c2pa-wasm/c2pa.wasm"))
    c2paWasm.initSync({ module: bytes })
    initialized = true
  }
  return c2paWasm
}
