import type { SemaphoreProof } from "@semaphore-protocol/core"
import { keccak_256 } from "@noble/hashes/sha3.js"
import { buildBn128, type Bn128Curve } from "ffjavascript"
import { HumanmarkError } from "../errors.ts"
import { MAX_TREE_DEPTH, MIN_TREE_DEPTH } from "./artifacts.ts"

/**
 * Most proofs checked in one multi-pairing. A single call over ~4,000 proofs crashed the WebAssembly
 * curve here; 1,024 already gets almost all of the batching gain.
 */
export const MAX_PROOFS_PER_PAIRING = 1024

/** A G1 point as affine coordinates (x, y) in the base field. */
export type G1Coordinates = readonly [bigint, bigint]
/** A G2 point as affine coordinates over Fp2, each written (real, imaginary) as snarkjs writes them. */
export type G2Coordinates = readonly [readonly [bigint, bigint], readonly [bigint, bigint]]

/**
 * The Groth16 verification key of the Semaphore v4 circuit for one tree depth. Every depth is its own
 * circuit, so `delta` and `inputCommitments` differ by depth (alpha, beta and gamma happen to be shared).
 */
export interface SemaphoreVerificationKey {
  depth: number
  alpha: G1Coordinates
  beta: G2Coordinates
  gamma: G2Coordinates
  delta: G2Coordinates
  /**
   * `IC` in snarkjs: the constant term, then one point per public signal, in the circuit's order
   * `[merkleTreeRoot, nullifier, hash(message), hash(scope)]`.
   */
  inputCommitments: readonly G1Coordinates[]
}

export interface SemaphoreBatchVerifierParameters {
  /** Loads the checked verification key for a depth (`loadSemaphoreVerificationKey` in Node). */
  loadVerificationKey: (depth: number) => Promise<SemaphoreVerificationKey>
  /** Proofs per multi-pairing, at most (and by default) `MAX_PROOFS_PER_PAIRING`. */
  chunkSize?: number
}

/**
 * `valid` is true when every proof verifies. `invalid` names every proof that does not (indices into
 * the input, ascending); `malformed` is the subset of `invalid` that never reached the pairing check
 * because it is not a well-formed proof at all.
 */
export interface BatchVerificationResult {
  valid: boolean
  invalid: number[]
  malformed: number[]
}

export interface SemaphoreBatchVerifier {
  /**
   * Verifies `proofs` together. Duplicates are allowed (each copy gets its own random weight). Reuse
   * one verifier across batches: it keeps the curve and the prepared keys.
   */
  verify(proofs: readonly SemaphoreProof[]): Promise<BatchVerificationResult>
  /** Frees the curve; the verifier cannot be used afterwards. */
  release(): Promise<void>
}

export type BatchVerifySemaphoreProofsErrorType = HumanmarkError

/**
 * Verifies many Semaphore v4 proofs at the cost of about one Miller loop each plus one final
 * exponentiation per chunk, instead of a full four-pairing check each.
 *
 * Each proof i is weighted by a secret random 128-bit scalar r_i, and one multi-pairing checks
 * ∏ e(r_i·A_i, B_i) · e(−Σ r_i·α, β) · e(−Σ r_i·vk_x_i, γ) · e(−Σ r_i·C_i, δ) = 1, where
 * vk_x_i = IC_0 + Σ_j publicSignal_ij·IC_j; terms that share a G2 point (the same key or the same
 * β and γ across depths) are summed first. Valid proofs always pass; a batch holding an invalid proof
 * passes with probability about 2^-128, because the prover cannot know the weights in advance.
 *
 * When a chunk fails, it is bisected with the same weights (sound, since the weights are still
 * unknown to whoever made the proofs) until every invalid proof is named. The Miller loop of each
 * proof is computed once and reused, so naming k bad proofs among n costs about 2·k·log2(n) final
 * exponentiations more, not more Miller loops.
 *
 * Malformed proofs are reported as invalid (and listed in `malformed`), never thrown, so that one
 * bad ballot in a published log cannot stop a tally: a depth outside 1..32, public values that are
 * not integers, a root or nullifier outside the scalar field, a message or scope of more than 256
 * bits, points that are not 8 integers below the base-field modulus, A or C not on the curve, or B
 * not in the order-r subgroup of the twist. The subgroup check is stricter than snarkjs (which only
 * checks the curve equation) and matches the EVM pairing precompile; batching needs it, because the
 * pairing is only bilinear on the proper subgroups. Coordinates at or above the modulus are refused
 * too (snarkjs silently reduces them, accepting a second spelling of the same proof; the EVM does not). Only a `proofs` argument that is not an array
 * throws (`HumanmarkError` with code `invalid_proof_batch`).
 *
 * The curve is built single-threaded and private to the verifier: no worker threads to release, and
 * each proof's Miller loop stays on the main thread where bisection can reuse it. Measured on the
 * shared 2-core machine: Miller loop plus G2 preparation ~1.8 ms per proof here, against ~1.15 ms
 * per pair for ffjavascript's worker-thread `pairingEq`; spreading the per-proof Miller loops over
 * workers is the next speed-up (as is a ψ-endomorphism subgroup check instead of r·B, ~1 ms).
 */
export async function createSemaphoreBatchVerifier(parameters: SemaphoreBatchVerifierParameters): Promise<SemaphoreBatchVerifier> {
  const chunkSize = parameters.chunkSize ?? MAX_PROOFS_PER_PAIRING
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_PROOFS_PER_PAIRING) {
    throw new HumanmarkError("invalid_chunk_size", `Chunk size must be an integer from 1 to ${MAX_PROOFS_PER_PAIRING}, got ${chunkSize}.`)
  }
  const curve = await buildBn128(true)
  const keys = new KeyCache(curve, parameters.loadVerificationKey)
  let released = false

  return {
    async verify(proofs) {
      if (released) throw new HumanmarkError("verifier_released", "This batch verifier was released; create a new one.")
      if (!Array.isArray(proofs)) throw new HumanmarkError("invalid_proof_batch", "Proofs must be given as an array.")
      const malformed: number[] = []
      const prepared: PreparedProof[] = []
      for (let index = 0; index < proofs.length; index++) {
        const parsed = parseProof(curve, proofs[index])
        if (!parsed) {
          malformed.push(index)
          continue
        }
        prepared.push(prepareProof(curve, index, parsed, await keys.get(parsed.depth)))
      }
      const failed: number[] = []
      for (let start = 0; start < prepared.length; start += chunkSize) {
        const chunk = prepared.slice(start, start + chunkSize)
        if (!(await batchHolds(curve, chunk))) await nameInvalid(curve, chunk, failed)
      }
      const invalid = [...malformed, ...failed].sort((left, right) => left - right)
      return { valid: invalid.length === 0, invalid, malformed }
    },
    async release() {
      released = true
      await curve.terminate()
    },
  }
}

/** One-shot form of `createSemaphoreBatchVerifier(...).verify(proofs)`; releases the curve afterwards. */
export async function batchVerifySemaphoreProofs(
  proofs: readonly SemaphoreProof[],
  parameters: SemaphoreBatchVerifierParameters,
): Promise<BatchVerificationResult> {
  const verifier = await createSemaphoreBatchVerifier(parameters)
  try {
    return await verifier.verify(proofs)
  } finally {
    await verifier.release()
  }
}

/**
 * How Semaphore v4 turns a message or scope into a circuit input: keccak256 of the value as 32
 * big-endian bytes (Solidity's `abi.encodePacked(uint256)`), shifted right by 8 bits so it fits the
 * scalar field. The same as `hash` in @semaphore-protocol/proof and `_hash` in Semaphore.sol.
 */
export function semaphoreSignalHash(value: bigint): bigint {
  if (value < 0n || value >= 1n << 256n) throw new HumanmarkError("invalid_signal", "A Semaphore message or scope must fit in 256 bits.")
  const bytes = new Uint8Array(32)
  let rest = value
  for (let position = 31; position >= 0; position--) {
    bytes[position] = Number(rest & 0xffn)
    rest >>= 8n
  }
  let digest = 0n
  for (const byte of keccak_256(bytes)) digest = (digest << 8n) | BigInt(byte)
  return digest >> 8n
}

/**
 * Reads a snarkjs verification key JSON (`semaphore-<depth>.json`) into a `SemaphoreVerificationKey`.
 * Throws `HumanmarkError` (`invalid_verification_key`) when it is not a 4-input Groth16 key on bn128.
 */
export function parseSemaphoreVerificationKey(json: unknown, depth: number): SemaphoreVerificationKey {
  const fail = (why: string) => new HumanmarkError("invalid_verification_key", `The verification key for depth ${depth} is unusable: ${why}.`, { status: 500 })
  const key = json as Record<string, unknown>
  if (typeof key !== "object" || key === null || key.protocol !== "groth16" || key.curve !== "bn128") throw fail("not a Groth16 key on bn128")
  if (key.nPublic !== 4) throw fail("a Semaphore key has 4 public inputs")
  const number = (value: unknown): bigint => {
    if (typeof value !== "string" || !/^\d+$/.test(value)) throw fail("a coordinate is not a decimal string")
    return BigInt(value)
  }
  const g1 = (value: unknown): G1Coordinates => {
    if (!Array.isArray(value) || value[2] !== "1") throw fail("a G1 point is not affine")
    return [number(value[0]), number(value[1])]
  }
  const g2 = (value: unknown): G2Coordinates => {
    if (!Array.isArray(value) || !Array.isArray(value[0]) || !Array.isArray(value[1]) || value[2]?.[0] !== "1" || value[2]?.[1] !== "0") {
      throw fail("a G2 point is not affine")
    }
    return [
      [number(value[0][0]), number(value[0][1])],
      [number(value[1][0]), number(value[1][1])],
    ]
  }
  if (!Array.isArray(key.IC) || key.IC.length !== 5) throw fail("IC must hold 5 points")
  return {
    depth,
    alpha: g1(key.vk_alpha_1),
    beta: g2(key.vk_beta_2),
    gamma: g2(key.vk_gamma_2),
    delta: g2(key.vk_delta_2),
    inputCommitments: key.IC.map(g1),
  }
}

interface ParsedProof {
  depth: number
  /** `[merkleTreeRoot, nullifier, hash(message), hash(scope)]`, all below the scalar field modulus. */
  publicSignals: bigint[]
  a: Uint8Array
  b: Uint8Array
  c: Uint8Array
}

/** A G2 point of a key, prepared once for Miller loops; `id` groups terms that share it. */
interface PreparedG2 {
  id: string
  prepared: Uint8Array
}

interface PreparedKey {
  alpha: Uint8Array
  /** Affine input commitments (IC), concatenated, as multi-exponentiation bases. */
  inputCommitmentBases: Uint8Array
  beta: PreparedG2
  gamma: PreparedG2
  delta: PreparedG2
}

interface PreparedProof {
  index: number
  key: PreparedKey
  /** The secret 128-bit weight, little-endian (the form multi-exponentiation takes). */
  weightBytes: Uint8Array
  weight: bigint
  publicSignals: bigint[]
  /** Miller loop of (weight·A, B): this proof's whole share of the pairing product. */
  millerLoop: Uint8Array
  /** C in affine form, to be summed with the weights against δ. */
  c: Uint8Array
}

class KeyCache {
  private readonly keys = new Map<number, Promise<PreparedKey>>()
  private readonly g2Points = new Map<string, PreparedG2>()

  constructor(
    private readonly curve: Bn128Curve,
    private readonly load: (depth: number) => Promise<SemaphoreVerificationKey>,
  ) {}

  get(depth: number): Promise<PreparedKey> {
    let key = this.keys.get(depth)
    if (!key) {
      key = this.load(depth).then((loaded) => this.prepare(loaded, depth))
      key.catch(() => this.keys.delete(depth))
      this.keys.set(depth, key)
    }
    return key
  }

  private prepare(key: SemaphoreVerificationKey, depth: number): PreparedKey {
    if (key.depth !== depth) throw new HumanmarkError("invalid_verification_key", `Asked for the depth ${depth} key, got depth ${key.depth}.`, { status: 500 })
    const { G1 } = this.curve
    const bases = new Uint8Array(64 * key.inputCommitments.length)
    key.inputCommitments.forEach((point, position) => bases.set(G1.toAffine(g1Point(this.curve, point)), 64 * position))
    return {
      alpha: g1Point(this.curve, key.alpha),
      inputCommitmentBases: bases,
      beta: this.g2(key.beta),
      gamma: this.g2(key.gamma),
      delta: this.g2(key.delta),
    }
  }

  private g2(coordinates: G2Coordinates): PreparedG2 {
    const id = coordinates.flat().join(",")
    let point = this.g2Points.get(id)
    if (!point) {
      point = { id, prepared: this.curve.prepareG2(this.curve.G2.toJacobian(g2Point(this.curve, coordinates))) }
      this.g2Points.set(id, point)
    }
    return point
  }
}

/** Affine point buffers (ffjavascript returns affine for z = 1). */
function g1Point(curve: Bn128Curve, [x, y]: G1Coordinates): Uint8Array {
  return curve.G1.fromObject([x, y, 1n])
}

function g2Point(curve: Bn128Curve, [x, y]: G2Coordinates): Uint8Array {
  return curve.G2.fromObject([x, y, [1n, 0n]])
}

/** A decimal or 0x-hex integer, as Semaphore proofs carry them; null for anything else. */
function parseInteger(value: unknown): bigint | null {
  if (typeof value === "bigint") return value >= 0n ? value : null
  if (typeof value !== "string" || !/^(\d+|0x[\da-f]+)$/i.test(value)) return null
  return BigInt(value)
}

/** The proof's values and curve points when well formed (see `createSemaphoreBatchVerifier`), else null. */
function parseProof(curve: Bn128Curve, proof: SemaphoreProof | undefined): ParsedProof | null {
  if (typeof proof !== "object" || proof === null) return null
  const depth = proof.merkleTreeDepth
  if (!Number.isInteger(depth) || depth < MIN_TREE_DEPTH || depth > MAX_TREE_DEPTH) return null
  const root = parseInteger(proof.merkleTreeRoot)
  const nullifier = parseInteger(proof.nullifier)
  const message = parseInteger(proof.message)
  const scope = parseInteger(proof.scope)
  if (root === null || nullifier === null || message === null || scope === null) return null
  if (root >= curve.r || nullifier >= curve.r || message >= 1n << 256n || scope >= 1n << 256n) return null

  if (!Array.isArray(proof.points) || proof.points.length !== 8) return null
  const coordinates = proof.points.map(parseInteger)
  if (coordinates.some((value) => value === null || value >= curve.q)) return null
  const [ax, ay, bxImaginary, bxReal, byImaginary, byReal, cx, cy] = coordinates as bigint[] as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]

  // Packed Semaphore points list each Fp2 coordinate as (imaginary, real), the Solidity order.
  const a = g1Point(curve, [ax, ay])
  const b = g2Point(curve, [
    [bxReal, bxImaginary],
    [byReal, byImaginary],
  ])
  const c = g1Point(curve, [cx, cy])
  if (!curve.G1.isValid(a) || !curve.G1.isValid(c) || !curve.G2.isValid(b)) return null
  if (!curve.G2.isZero(curve.G2.timesScalar(b, curve.r))) return null

  return { depth, publicSignals: [root, nullifier, semaphoreSignalHash(message), semaphoreSignalHash(scope)], a, b, c }
}

function randomWeight(): { weightBytes: Uint8Array; weight: bigint } {
  const weightBytes = new Uint8Array(16)
  crypto.getRandomValues(weightBytes)
  // A zero weight would drop the proof from the check; forcing the top bit keeps 127 random bits.
  weightBytes[15]! |= 0x80
  let weight = 0n
  for (let position = 15; position >= 0; position--) weight = (weight << 8n) | BigInt(weightBytes[position]!)
  return { weightBytes, weight }
}

function prepareProof(curve: Bn128Curve, index: number, proof: ParsedProof, key: PreparedKey): PreparedProof {
  const { weightBytes, weight } = randomWeight()
  const millerLoop = curve.millerLoop(curve.prepareG1(curve.G1.timesScalar(proof.a, weightBytes)), curve.prepareG2(curve.G2.toJacobian(proof.b)))
  return { index, key, weightBytes, weight, publicSignals: proof.publicSignals, millerLoop, c: curve.G1.toAffine(proof.c) }
}

/** Writes a scalar as 32 little-endian bytes at `offset`. */
function writeScalar(target: Uint8Array, offset: number, value: bigint): void {
  let rest = value
  for (let position = 0; position < 32; position++) {
    target[offset + position] = Number(rest & 0xffn)
    rest >>= 8n
  }
}

/** One multi-pairing over `proofs` with their fixed weights: true when the batch equation holds. */
async function batchHolds(curve: Bn128Curve, proofs: readonly PreparedProof[]): Promise<boolean> {
  const { G1, Gt } = curve
  let product = Gt.one
  for (const proof of proofs) product = Gt.mul(product, proof.millerLoop)

  // Sums of weighted key-side points, one per distinct G2 point.
  const sums = new Map<string, { g2: PreparedG2; g1: Uint8Array }>()
  const addTerm = (g2: PreparedG2, g1: Uint8Array) => {
    const existing = sums.get(g2.id)
    sums.set(g2.id, { g2, g1: existing ? G1.add(existing.g1, g1) : g1 })
  }

  const byKey = new Map<PreparedKey, PreparedProof[]>()
  for (const proof of proofs) byKey.set(proof.key, [...(byKey.get(proof.key) ?? []), proof])
  for (const [key, group] of byKey) {
    // Σ r_i·vk_x_i = (Σ r_i)·IC_0 + Σ_j (Σ_i r_i·signal_ij)·IC_j: sum scalars, then one 5-point MSM.
    const inputScalars = [0n, 0n, 0n, 0n, 0n]
    const weights = new Uint8Array(16 * group.length)
    const cBases = new Uint8Array(64 * group.length)
    group.forEach((proof, position) => {
      inputScalars[0] = inputScalars[0]! + proof.weight
      proof.publicSignals.forEach((signal, input) => (inputScalars[input + 1] = inputScalars[input + 1]! + proof.weight * signal))
      weights.set(proof.weightBytes, 16 * position)
      cBases.set(proof.c, 64 * position)
    })
    const scalarBytes = new Uint8Array(32 * inputScalars.length)
    inputScalars.forEach((scalar, input) => writeScalar(scalarBytes, 32 * input, scalar % curve.r))
    addTerm(key.beta, G1.timesScalar(key.alpha, inputScalars[0]! % curve.r))
    addTerm(key.gamma, await G1.multiExpAffine(key.inputCommitmentBases, scalarBytes))
    addTerm(key.delta, await G1.multiExpAffine(cBases, weights))
  }

  for (const { g2, g1 } of sums.values()) {
    if (G1.isZero(g1)) continue
    product = Gt.mul(product, curve.millerLoop(curve.prepareG1(G1.toJacobian(G1.neg(g1))), g2.prepared))
  }
  return Gt.eq(curve.finalExponentiation(product), Gt.one)
}

/**
 * Adds to `invalid` the index of every invalid proof in `proofs`, a set already known to fail. If
 * the left half passes, the right half must fail, so it is split without being checked again.
 */
async function nameInvalid(curve: Bn128Curve, proofs: readonly PreparedProof[], invalid: number[]): Promise<void> {
  if (proofs.length === 1) {
    invalid.push(proofs[0]!.index)
    return
  }
  const middle = Math.ceil(proofs.length / 2)
  const left = proofs.slice(0, middle)
  const right = proofs.slice(middle)
  if (await batchHolds(curve, left)) return nameInvalid(curve, right, invalid)
  await nameInvalid(curve, left, invalid)
  if (!(await batchHolds(curve, right))) await nameInvalid(curve, right, invalid)
}
