/**
 * A small deterministic pseudo-random generator for simulations and tests (never for secrets: it is
 * predictable by design). Returns numbers in [0, 1) from a 32-bit seed; the same seed gives the same
 * sequence on every platform. The state advances by an odd constant and each output is a
 * multiply-xorshift mix of it, which is plenty for picking pairs and simulating votes.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b) >>> 0
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35) >>> 0
    mixed = (mixed ^ (mixed >>> 16)) >>> 0
    return mixed / 2 ** 32
  }
}

/** A standard normal sample (Box-Muller) from a uniform source, for simulated candidate strengths. */
export function normalSample(random: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()))
  return radius * Math.cos(2 * Math.PI * random())
}
