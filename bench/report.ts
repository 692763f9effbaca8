// Shared types and statistics for benchmark modules. A benchmark prints figures and writes JSON;
// it never asserts timings. Every figure carries its own samples and a baseline from the same run.

/** How a row's samples are summarised into the one number printed in the table. */
export type Statistic = "median" | "p95" | "single"

export interface Measured {
  /** The summarised value printed in the table (per `statistic`). */
  value: number
  /** Every raw sample, in the order taken. */
  samples: number[]
}

export interface Figure {
  operation: string
  unit: string
  statistic: Statistic
  ours: Measured
  baseline: Measured
  /** Free text kept in the JSON (and printed under the table), e.g. what is inside the timed window. */
  note?: string
}

/** A number printed for context only (no "ours versus baseline" comparison makes sense for it). */
export interface ContextFigure {
  operation: string
  unit: string
  statistic: Statistic
  value: number
  samples: number[]
  note?: string
}

export interface FigureInput {
  operation: string
  unit: string
  statistic: Statistic
  ours: number[]
  baseline: number[]
  note?: string
}

export interface ContextInput {
  operation: string
  unit: string
  statistic: Statistic
  samples: number[]
  note?: string
}

/** What a module receives: it records figures and reports progress (stderr). */
export interface Report {
  figure(input: FigureInput): Figure
  context(input: ContextInput): ContextFigure
  /** Records free-form facts about the setup (sample counts, depth, group size...) in the JSON. */
  setting(key: string, value: unknown): void
  progress(message: string): void
}

/** A benchmark module, discovered by `bench/run.ts` as `bench/<name>.bench.ts`. */
export interface BenchModule {
  /** Short name, used to select it (`npm run bench -- <name>`) and as `bench/results/<name>.json`. */
  name: string
  description: string
  /** What the "baseline" column measures, printed above the table. */
  baseline: string
  run(report: Report): Promise<void>
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Nearest-rank percentile (with few samples, p95 is the largest or next-to-largest sample). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

export function summarise(samples: readonly number[], statistic: Statistic): number {
  switch (statistic) {
    case "median":
      return median(samples)
    case "p95":
      return percentile(samples, 95)
    case "single":
      if (samples.length !== 1) throw new Error(`A "single" figure takes exactly one sample, got ${samples.length}.`)
      return samples[0]!
  }
}

/** Milliseconds elapsed while `work` runs, and its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now()
  const result = await work()
  return { ms: performance.now() - start, result }
}
