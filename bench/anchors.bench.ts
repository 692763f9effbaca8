// Content anchors: building the SHA-256 Merkle tree of a large batch (sdk/anchors/merkle.ts beside a
// naive node:crypto tree in the same run), and the gas one batch costs on chain (ContentAnchor.anchor
// beside a bare 32-byte calldata transaction and beside the mapping + event design).
import { createHash, randomBytes } from "node:crypto"
import { bytesToHex, encodeFunctionData, type Address, type Hash, type Hex } from "viem"
import { compileFixture } from "../contracts/compile.ts"
import { deployHumanmark } from "../contracts/deploy.ts"
import { buildMerkleTree, merklePath, rootFromPath } from "../sdk/anchors/merkle.ts"
import { contentAnchorAbi } from "../sdk/generated/abis.ts"
import { startAnvil } from "../server/chain/anvil.ts"
import { connectChain } from "../server/chain/clients.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../server/config.ts"
import type { BenchModule, Report } from "./report.ts"

export const name = "anchors"
export const description = "Content anchors: Merkle tree of a 1,000,000-digest batch, and gas per anchored batch"
export const baseline =
  "Merkle: a naive tree with one node:crypto createHash and one Buffer per node, same rules, same run; gas: a bare 32-byte calldata transaction to an account, and ContentAnchor with a mapping write"

const LEAVES = 1_000_000
const RUNS = 3
const GAS_SAMPLES = 5

/** The straightforward implementation: what one writes first, with Node's native SHA-256. */
function naiveMerkleRoot(digests: readonly Uint8Array[]): Buffer {
  let level: Buffer[] = digests.map((digest) => createHash("sha256").update(Uint8Array.of(0)).update(digest).digest())
  while (level.length > 1) {
    const next: Buffer[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(createHash("sha256").update(Uint8Array.of(1)).update(level[i]!).update(level[i + 1]!).digest())
    if (level.length % 2 === 1) next.push(level.at(-1)!)
    level = next
  }
  return level[0]!
}

async function merkle(report: Report): Promise<void> {
  report.progress(`generating ${LEAVES.toLocaleString("en-US")} random digests`)
  const digests = Array.from({ length: LEAVES }, () => new Uint8Array(randomBytes(32)))
  const ours: number[] = []
  const naive: number[] = []
  let root: Hex | undefined
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first so that garbage left by one side does not always land on the other.
    const sides = run % 2 === 0 ? (["ours", "naive"] as const) : (["naive", "ours"] as const)
    for (const side of sides) {
      const start = performance.now()
      if (side === "ours") root = buildMerkleTree(digests).root
      else {
        const naiveRoot = bytesToHex(naiveMerkleRoot(digests))
        if (root !== undefined && naiveRoot !== root) throw new Error("the naive tree disagrees with buildMerkleTree")
      }
      const ms = performance.now() - start
      ;(side === "ours" ? ours : naive).push(ms)
      report.progress(`merkle ${run + 1}/${RUNS} ${side}: ${ms.toFixed(0)} ms`)
    }
  }
  report.figure({
    operation: `build Merkle tree, ${LEAVES.toLocaleString("en-US")} leaves`,
    unit: "ms",
    statistic: "median",
    ours,
    baseline: naive,
    note: `${RUNS} runs per side, alternating; ours is @noble/hashes (pure JS, runs in browsers) with one reused hasher and one buffer per level, and keeps every level for paths; the naive tree uses native node:crypto and keeps only the current level.`,
  })

  const tree = buildMerkleTree(digests)
  const pathTimes: number[] = []
  for (let i = 0; i < 1000; i++) {
    const index = (i * 7919) % LEAVES
    const start = performance.now()
    const path = merklePath(tree, index)
    if (rootFromPath(digests[index]!, path) !== tree.root) throw new Error("a path did not lead to the root")
    pathTimes.push(performance.now() - start)
  }
  report.context({
    operation: `merklePath + rootFromPath, ${LEAVES.toLocaleString("en-US")}-leaf tree`,
    unit: "ms",
    statistic: "median",
    samples: pathTimes,
    note: `1000 leaves spread over the tree; paths have ${merklePath(tree, 0).length} steps.`,
  })
  report.setting("leaves", LEAVES)
  report.setting("merkleRuns", RUNS)
}

async function gas(report: Report): Promise<void> {
  report.progress("starting anvil and deploying through deployHumanmark")
  const anvil = await startAnvil()
  try {
    const { publicClient, walletClient } = await connectChain({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
    if (!walletClient) throw new Error("no wallet client")
    const deployment = await deployHumanmark({ publicClient, walletClient })
    const [mappingVariant] = compileFixture("contracts/test/fixtures/ContentAnchorWithMapping.sol")
    if (!mappingVariant) throw new Error("the mapping variant did not compile")
    const deployed = await publicClient.waitForTransactionReceipt({
      hash: await walletClient.deployContract({ abi: contentAnchorAbi, bytecode: mappingVariant.bytecode }),
    })
    const mappingAddress = deployed.contractAddress as Address

    const gasOf = async (hash: Hash) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`)
      return Number(receipt.gasUsed)
    }
    const anchorOn = (address: Address, root: Hex) => walletClient.writeContract({ address, abi: contentAnchorAbi, functionName: "anchor", args: [root] })
    const eventOnly: number[] = []
    const withMapping: number[] = []
    const bareCalldata: number[] = []
    const someAccount = "0x000000000000000000000000000000000000bEEF"
    for (let i = 0; i < GAS_SAMPLES; i++) {
      // Real roots are uniformly random, so every calldata byte is almost always non-zero.
      const root = bytesToHex(randomBytes(32))
      eventOnly.push(await gasOf(await anchorOn(deployment.contracts.contentAnchor, root)))
      withMapping.push(await gasOf(await anchorOn(mappingAddress, root)))
      bareCalldata.push(await gasOf(await walletClient.sendTransaction({ to: someAccount, data: root })))
    }
    report.figure({
      operation: "anchor one batch (tx gasUsed), vs bare 32-byte calldata tx",
      unit: "gas",
      statistic: "median",
      ours: eventOnly,
      baseline: bareCalldata,
      note: `ContentAnchor.anchor(bytes32) deployed by deployHumanmark on anvil, ${GAS_SAMPLES} random roots; the baseline sends the same 32 bytes as calldata to an account, the least any on-chain timestamp can cost.`,
    })
    report.figure({
      operation: "anchor one batch (tx gasUsed), vs mapping + event",
      unit: "gas",
      statistic: "median",
      ours: eventOnly,
      baseline: withMapping,
      note: "the baseline is contracts/test/fixtures/ContentAnchorWithMapping.sol (the root's block time also written to storage), same roots.",
    })
    const calldata = encodeFunctionData({ abi: contentAnchorAbi, functionName: "anchor", args: [bytesToHex(randomBytes(32))] })
    report.context({
      operation: `gas per 1,000 digests, batch of ${LEAVES.toLocaleString("en-US")}`,
      unit: "gas/1000",
      statistic: "single",
      samples: [(eventOnly[0]! / LEAVES) * 1000],
      note: `one anchor() per batch, whatever its size; calldata is ${(calldata.length - 2) / 2} bytes.`,
    })
    report.setting("gasSamples", GAS_SAMPLES)
    report.setting("anvilVersionPackage", "@foundry-rs/anvil")
  } finally {
    await anvil.stop()
    report.progress("anvil stopped")
  }
}

export async function run(report: Report): Promise<void> {
  await merkle(report)
  await gas(report)
}

export default { name, description, baseline, run } satisfies BenchModule
