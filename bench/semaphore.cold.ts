// Child process for the COLD proof figure: `node --import tsx bench/semaphore.cold.ts ours|core`.
// Makes the first proof of a fresh process (artifact load, for ours also the sha256 check, witness
// wasm instantiation, curve init) and prints one JSON line on stdout. Spawned by semaphore.bench.ts.
import { verifyProof } from "@semaphore-protocol/core"
import { benchGroup, benchIdentities, prove, type Side } from "./semaphore.fixture.ts"

/** Time from process start until this module's body runs (node + tsx + module imports). */
const readyAtMs = performance.now()

const side = process.argv[2]
if (side !== "ours" && side !== "core") {
  process.stderr.write("usage: node --import tsx bench/semaphore.cold.ts ours|core\n")
  process.exit(2)
}

const identities = benchIdentities()
const group = benchGroup(identities)
// A scope of its own per child run is not needed (nothing is spent), but keep proofs distinct anyway.
const scope = BigInt(process.pid)

const start = performance.now()
const proof = await prove(side as Side, identities[0]!, group, scope)
const firstProofMs = performance.now() - start

// Outside the timed window: a fast but wrong proof must not count.
const valid = await verifyProof(proof)
process.stdout.write(JSON.stringify({ side, firstProofMs, readyAtMs, valid }) + "\n")
// snarkjs keeps worker threads alive; leave now.
process.exit(valid ? 0 : 1)
