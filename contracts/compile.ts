import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import solc from "solc"

const require = createRequire(import.meta.url)
const contractsDir = dirname(fileURLToPath(import.meta.url))
const ownSourcesDir = join(contractsDir, "src")

/** Settings shared by every build, so a drift test reproduces the committed output exactly. */
export const compilerSettings = {
  optimizer: { enabled: true, runs: 200 },
  // Cancun is supported by every major EVM chain and L2; nothing here needs a later fork.
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences"] } },
} as const

/** Third-party contracts we deploy as they are, keyed by the name the SDK exports them under. */
const upstreamContracts = {
  PoseidonT3: "poseidon-solidity/PoseidonT3.sol",
  SemaphoreVerifier: "@semaphore-protocol/contracts/base/SemaphoreVerifier.sol",
  Semaphore: "@semaphore-protocol/contracts/Semaphore.sol",
} as const

export interface LinkReference {
  /** `file:Library`, as solc names it. */
  library: string
  /** Byte offsets of the 20-byte placeholders in the bytecode. */
  offsets: number[]
}

export interface CompiledContract {
  name: string
  sourcePath: string
  abi: unknown[]
  bytecode: `0x${string}`
  linkReferences: LinkReference[]
}

export interface CompileResult {
  compilerVersion: string
  contracts: CompiledContract[]
}

/** Compiles our own contracts (`contracts/src`) and the upstream ones we deploy, with the npm `solc`. */
export function compileContracts(): CompileResult {
  const wanted = new Map<string, string>() // contract name -> source path
  for (const [name, path] of Object.entries(upstreamContracts)) wanted.set(name, path)
  for (const file of listSolidityFiles(ownSourcesDir)) {
    const sourcePath = `contracts/src/${relative(ownSourcesDir, file)}`
    for (const name of declaredContractNames(readFileSync(file, "utf8"))) wanted.set(name, sourcePath)
  }

  const sources: Record<string, { content: string }> = {}
  for (const path of new Set(wanted.values())) sources[path] = { content: readSource(path) }

  const output = runSolc(sources)
  const contracts = [...wanted].map(([name, sourcePath]) => toCompiledContract(output, name, sourcePath))
  return { compilerVersion: solc.version(), contracts }
}

/**
 * Compiles one Solidity file of this repository on its own, with the same settings as the build: for
 * test and benchmark fixtures (e.g. gas baselines) that must never reach sdk/generated.
 */
export function compileFixture(sourcePath: string): CompiledContract[] {
  const output = runSolc({ [sourcePath]: { content: readSource(sourcePath) } })
  return declaredContractNames(readSource(sourcePath)).map((name) => toCompiledContract(output, name, sourcePath))
}

function runSolc(sources: Record<string, { content: string }>): SolcOutput {
  const input = { language: "Solidity", sources, settings: compilerSettings }
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (path: string) => {
        try {
          return { contents: readSource(path) }
        } catch {
          return { error: `Source not found: ${path}` }
        }
      },
    }),
  ) as SolcOutput

  const errors = (output.errors ?? []).filter((entry) => entry.severity === "error")
  if (errors.length > 0) {
    throw new Error(`Solidity compilation failed:\n${errors.map((entry) => entry.formattedMessage).join("\n")}`)
  }
  return output
}

function toCompiledContract(output: SolcOutput, name: string, sourcePath: string): CompiledContract {
  const compiled = output.contracts?.[sourcePath]?.[name]
  if (!compiled) throw new Error(`solc produced no output for ${sourcePath}:${name}`)
  const linkReferences = Object.entries(compiled.evm.bytecode.linkReferences ?? {}).flatMap(([file, libraries]) =>
    Object.entries(libraries).map(([library, positions]) => ({
      library: `${file}:${library}`,
      offsets: positions.map((position) => position.start),
    })),
  )
  return {
    name,
    sourcePath,
    abi: compiled.abi,
    bytecode: `0x${compiled.evm.bytecode.object}` as const,
    linkReferences,
  }
}

/** Resolves an import path: our own sources by repository path, everything else from node_modules. */
function readSource(path: string): string {
  if (path.startsWith("contracts/")) return readFileSync(join(contractsDir, "..", path), "utf8")
  return readFileSync(require.resolve(path), "utf8")
}

function listSolidityFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".sol"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

function declaredContractNames(source: string): string[] {
  return [...source.matchAll(/^\s*(?:abstract\s+)?contract\s+(\w+)/gm)].map((match) => match[1] as string)
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: unknown[]
        evm: { bytecode: { object: string; linkReferences?: Record<string, Record<string, { start: number }[]>> } }
      }
    >
  >
}
