// Benchmark harness: `npm run bench` runs every `bench/<name>.bench.ts`; `npm run bench -- <name>...`
// runs only those. Each module prints a table (ours beside a baseline measured in the same run) and
// writes `bench/results/<name>.json` with machine info and every sample. Progress goes to stderr.
// Nothing here asserts a timing: the figures are for people to read.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { summarise, type BenchModule, type ContextFigure, type Figure, type Report } from "./report.ts"

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = dirname(benchDir)
const resultsDir = join(benchDir, "results")
const moduleSuffix = ".bench.ts"

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

async function discoverModules(): Promise<BenchModule[]> {
  const files = readdirSync(benchDir)
    .filter((file) => file.endsWith(moduleSuffix))
    .sort()
  const modules: BenchModule[] = []
  for (const file of files) {
    const loaded = (await import(pathToFileURL(join(benchDir, file)).href)) as Partial<BenchModule>
    if (typeof loaded.name !== "string" || typeof loaded.run !== "function") {
      throw new Error(`bench/${file} must export a string \`name\` and an async \`run(report)\`.`)
    }
    modules.push({
      name: loaded.name,
      description: loaded.description ?? "",
      baseline: loaded.baseline ?? "",
      run: loaded.run,
    })
  }
  return modules
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return undefined
  }
}

function machineInfo() {
  const cpus = os.cpus()
  // Read-only git queries; --no-optional-locks keeps `status` from touching the index.
  const commit = git(["rev-parse", "HEAD"])
  const status = commit ? git(["--no-optional-locks", "status", "--porcelain"]) : undefined
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    osRelease: os.release(),
    cpuModel: cpus[0]?.model ?? "unknown",
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    date: new Date().toISOString(),
    gitCommit: commit ?? null,
    gitDirty: status === undefined ? null : status.length > 0,
  }
}

function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a"
  if (unit === "gas" || Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US")
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function ratio(ours: number, baseline: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return "n/a"
  return `${(ours / baseline).toFixed(2)}x`
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) =>
    cells.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ").trimEnd()
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n")
}

function printModule(module: BenchModule, figures: Figure[], context: ContextFigure[], durationMs: number): void {
  const out: string[] = []
  out.push("", `## ${module.name}: ${module.description}`)
  if (module.baseline) out.push(`baseline: ${module.baseline}`)
  out.push("")
  out.push(
    table(
      ["operation", "ours", "baseline", "ours/base", "unit", "samples (ours/base)"],
      figures.map((f) => [
        `${f.operation} [${f.statistic}]`,
        formatNumber(f.ours.value, f.unit),
        formatNumber(f.baseline.value, f.unit),
        ratio(f.ours.value, f.baseline.value),
        f.unit,
        `${f.ours.samples.length}/${f.baseline.samples.length}`,
      ]),
      [false, true, true, true, false, true],
    ),
  )
  const notes = figures.filter((f) => f.note).map((f) => `  - ${f.operation}: ${f.note}`)
  if (context.length > 0) {
    out.push("", "context (no ours/baseline split; for scale only):", "")
    out.push(
      table(
        ["operation", "value", "unit", "samples"],
        context.map((c) => [`${c.operation} [${c.statistic}]`, formatNumber(c.value, c.unit), c.unit, String(c.samples.length)]),
        [false, true, false, true],
      ),
    )
    notes.push(...context.filter((c) => c.note).map((c) => `  - ${c.operation}: ${c.note}`))
  }
  if (notes.length > 0) out.push("", "notes:", ...notes)
  out.push("", `(${module.name} took ${(durationMs / 1000).toFixed(1)} s)`)
  process.stdout.write(out.join("\n") + "\n")
}

async function runModule(module: BenchModule, machine: ReturnType<typeof machineInfo>): Promise<void> {
  const figures: Figure[] = []
  const context: ContextFigure[] = []
  const settings: Record<string, unknown> = {}
  const report: Report = {
    figure(input) {
      const figure: Figure = {
        operation: input.operation,
        unit: input.unit,
        statistic: input.statistic,
        ours: { value: summarise(input.ours, input.statistic), samples: input.ours },
        baseline: { value: summarise(input.baseline, input.statistic), samples: input.baseline },
        ...(input.note ? { note: input.note } : {}),
      }
      figures.push(figure)
      return figure
    },
    context(input) {
      const figure: ContextFigure = {
        operation: input.operation,
        unit: input.unit,
        statistic: input.statistic,
        value: summarise(input.samples, input.statistic),
        samples: input.samples,
        ...(input.note ? { note: input.note } : {}),
      }
      context.push(figure)
      return figure
    },
    setting(key, value) {
      settings[key] = value
    },
    progress: (message) => progress(`${module.name}: ${message}`),
  }

  progress(`${module.name}: starting`)
  const startedAt = new Date().toISOString()
  const start = performance.now()
  await module.run(report)
  const durationMs = performance.now() - start

  printModule(module, figures, context, durationMs)
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `${module.name}.json`)
  const json = { module: module.name, description: module.description, baseline: module.baseline, machine, startedAt, durationMs, settings, figures, context }
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n")
  progress(`${module.name}: wrote ${file.slice(repoRoot.length + 1)}`)
}

async function main(): Promise<number> {
  const start = performance.now()
  const modules = await discoverModules()
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("-"))
  if (process.argv.includes("--list")) {
    for (const module of modules) process.stdout.write(`${module.name}\t${module.description}\n`)
    return 0
  }
  const unknown = wanted.filter((name) => !modules.some((module) => module.name === name))
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark ${unknown.join(", ")}; available: ${modules.map((m) => m.name).join(", ")}\n`)
    return 2
  }
  const selected = wanted.length > 0 ? modules.filter((module) => wanted.includes(module.name)) : modules

  const machine = machineInfo()
  process.stdout.write(
    `humanmark benchmarks: node ${machine.node}, ${machine.cpuCount} x ${machine.cpuModel}, ${machine.platform}, ` +
      `commit ${machine.gitCommit?.slice(0, 12) ?? "unknown"}${machine.gitDirty ? " (dirty)" : ""}, ${machine.date}\n`,
  )

  let failed = 0
  for (const module of selected) {
    try {
      await runModule(module, machine)
    } catch (error) {
      failed += 1
      process.stderr.write(`\n${module.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    }
  }
  process.stdout.write(`\ntotal: ${((performance.now() - start) / 1000).toFixed(1)} s\n`)
  return failed > 0 ? 1 : 0
}

// snarkjs leaves worker threads running (its curve is cached per process), so exit explicitly
// once results are written rather than waiting for the event loop to drain.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
