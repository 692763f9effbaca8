// ffjavascript ships no types. This declares only the BN254 ("bn128") operations that batch
// verification uses; points and field elements are the library's Montgomery-form byte buffers.
declare module "ffjavascript" {
  /** A group of curve points (G1 over Fp, G2 over Fp2); points are Jacobian (3 coordinates) or affine (2). */
  export interface WasmCurveGroup {
    readonly zero: Uint8Array
    /** Returns an affine buffer when the z coordinate is 1, else a Jacobian one. */
    fromObject(coordinates: readonly unknown[]): Uint8Array
    toJacobian(point: Uint8Array): Uint8Array
    toAffine(point: Uint8Array): Uint8Array
    add(left: Uint8Array, right: Uint8Array): Uint8Array
    neg(point: Uint8Array): Uint8Array
    /** `scalar` as a little-endian byte buffer (any length) or a bigint. */
    timesScalar(point: Uint8Array, scalar: Uint8Array | bigint): Uint8Array
    /** Bases as concatenated affine points, scalars as concatenated 32-byte little-endian values. */
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>
    isZero(point: Uint8Array): boolean
    /** True when the point satisfies the curve equation (or is the point at infinity); no subgroup check. */
    isValid(point: Uint8Array): boolean
  }

  /** The target group GT, a multiplicative subgroup of Fp12. */
  export interface WasmTargetGroup {
    readonly one: Uint8Array
    mul(left: Uint8Array, right: Uint8Array): Uint8Array
    eq(left: Uint8Array, right: Uint8Array): boolean
  }

  export interface Bn128Curve {
    readonly G1: WasmCurveGroup
    readonly G2: WasmCurveGroup
    readonly Gt: WasmTargetGroup
    /** Order of G1, G2 and GT (the scalar field modulus). */
    readonly r: bigint
    /** The base field modulus. */
    readonly q: bigint
    /** Takes a Jacobian point (it normalises it itself). */
    prepareG1(jacobianPoint: Uint8Array): Uint8Array
    /** Takes a Jacobian point; the result holds the precomputed line coefficients. */
    prepareG2(jacobianPoint: Uint8Array): Uint8Array
    millerLoop(preparedG1: Uint8Array, preparedG2: Uint8Array): Uint8Array
    finalExponentiation(value: Uint8Array): Uint8Array
    /** Stops worker threads (a no-op for a single-threaded curve). */
    terminate(): Promise<void>
  }

  /**
   * Builds the BN254 curve in WebAssembly. Multi-threaded builds are cached process-wide (shared with
   * snarkjs) and keep worker threads until `terminate()`; single-threaded builds are private.
   */
  export function buildBn128(singleThread?: boolean): Promise<Bn128Curve>
}
