// Enrollment: attestations verified per second per format, time from enrollment to in-group on the
// embedded stack, and gas per member when the group worker batches additions. Baselines, same run:
// a bare WebCrypto signature verification of the very bytes each attestation signs (the floor under
// any verifier), a bare Semaphore addMember transaction sent and mined on the same anvil, and
// Semaphore's own addMember, one transaction per member.
import { randomBytes } from "node:crypto"
import { decodeCBOR, encodeCBOR, type CBORTag, type CBORType } from "@levischuck/tiny-cbor"
import { parseEventLogs, type Hash } from "viem"
import { semaphoreAbi } from "../sdk/generated/abis.ts"
import { createDeviceStatementVerifier } from "../server/enrollment/attestation/device-statement.ts"
import { createWebauthnVerifier, webauthnChallengeFor } from "../server/enrollment/attestation/webauthn.ts"
import type { AttestationVerifier, VerifyAttestationInput } from "../server/enrollment/attestation/types.ts"
import { createDeviceHierarchy, createTestCertificate, signingAlgorithmFor, type TestCertificate, type TestKeyType } from "../test/support/attestation/certificates.ts"
import { signDeviceStatement } from "../test/support/attestation/device-statement.ts"
import { aaguidExtension, createSoftwareAuthenticator } from "../test/support/attestation/software-authenticator.ts"
import { startTestChain, type TestChain } from "../test/support/chain.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { timed, type Report } from "./report.ts"

export const name = "enrollment"
export const description = "Enrollment: attestations verified per second per format, enrollment-to-in-group latency, gas per member in batches"
export const baseline =
  "verification: a bare WebCrypto verify of the same signed bytes; latency: a bare addMember tx sent and mined on the same anvil; gas: Semaphore's addMember, one tx per member"

/** Attestations per timed round, and rounds per format (ours and the baseline alternate). */
const ROUND_SIZE = 100
const ROUNDS = 5
const LATENCY_RUNS = 5
/** The worker's batch interval: the setting for quick local use, and the default. */
const LATENCY_INTERVALS = [100, 2_000]
const BATCH_SIZES = [1, 10, 100]
const FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const RP_ID = "humanmark.bench"
const ORIGIN = "https://humanmark.bench"

const randomNonce = () => randomBytes(32).toString("base64url")
const randomCommitment = () => (BigInt(`0x${randomBytes(32).toString("hex")}`) % (FIELD_ORDER - 1n)) + 1n

/** One attestation ready to verify, and the bare signature check under it. */
interface Sample {
  input: VerifyAttestationInput
  signed: { publicKey: CryptoKey; algorithm: AlgorithmIdentifier | EcdsaParams; signature: Uint8Array<ArrayBuffer>; data: Uint8Array<ArrayBuffer> }
}

async function verifyThroughput(report: Report, operation: string, verifier: AttestationVerifier, samples: Sample[], note: string): Promise<void> {
  // Every attestation is checked once up front, so a broken setup fails here and not as a fast number.
  for (const sample of samples) await verifier.verify({ ...sample.input, now: new Date() })
  for (const sample of samples) {
    if (!(await crypto.subtle.verify(sample.signed.algorithm, sample.signed.publicKey, sample.signed.signature, sample.signed.data))) {
      throw new Error(`${operation}: the baseline signature does not verify`)
    }
  }
  const ours: number[] = []
  const base: number[] = []
  for (let round = 0; round < ROUNDS; round += 1) {
    const runOurs = async () => {
      const now = new Date()
      const { ms } = await timed(async () => {
        for (const sample of samples) await verifier.verify({ ...sample.input, now })
      })
      ours.push(samples.length / (ms / 1000))
    }
    const runBase = async () => {
      const { ms } = await timed(async () => {
        for (const { signed } of samples) await crypto.subtle.verify(signed.algorithm, signed.publicKey, signed.signature, signed.data)
      })
      base.push(samples.length / (ms / 1000))
    }
    // Alternating which side goes first spreads drift in machine load over both.
    if (round % 2 === 0) await runOurs().then(runBase)
    else await runBase().then(runOurs)
    report.progress(`${operation} ${round + 1}/${ROUNDS}: ${ours.at(-1)!.toFixed(0)}/s, bare verify ${base.at(-1)!.toFixed(0)}/s`)
  }
  report.figure({ operation, unit: "verifications/s", statistic: "median", ours, baseline: base, note })
}

async function deviceStatementSamples(keyType: TestKeyType): Promise<{ verifier: AttestationVerifier; samples: Sample[] }> {
  const device = await createDeviceHierarchy({ leafKeyType: keyType })
  const verifier = createDeviceStatementVerifier({ trustedRoots: [device.root.pem] })
  const samples: Sample[] = []
  for (let index = 0; index < ROUND_SIZE; index += 1) {
    const commitment = randomCommitment()
    const challenge = randomNonce()
    const statement = { commitment: commitment.toString(), challenge, personKey: randomBytes(32).toString("base64url"), issuedAt: new Date().toISOString() }
    const sign1 = await signDeviceStatement({ statement, leaf: device.leaf, chain: device.chain })
    // The bytes the device signed: COSE's Sig_structure over the protected header and the payload.
    const [protectedBytes, , payload, signature] = (decodeCBOR(sign1) as CBORTag).value as [Uint8Array, unknown, Uint8Array, Uint8Array]
    const data = new Uint8Array(encodeCBOR(["Signature1", protectedBytes, new Uint8Array(0), payload]))
    samples.push({
      input: { attestation: Buffer.from(sign1).toString("base64url"), commitment, challenge, now: new Date() },
      signed: { publicKey: device.leaf.keys.publicKey, algorithm: signingAlgorithmFor(keyType), signature: new Uint8Array(signature), data },
    })
  }
  return { verifier, samples }
}

async function webauthnPackedSamples(): Promise<{ verifier: AttestationVerifier; samples: Sample[] }> {
  const root = await createTestCertificate({ subject: "CN=Bench Authenticator Vendor Root, O=Humanmark Bench", certificateAuthority: {} })
  const intermediate = await createTestCertificate({ subject: "CN=Bench Attestation CA, O=Humanmark Bench", issuer: root, certificateAuthority: { pathLength: 0 } })
  const aaguid = new Uint8Array(randomBytes(16))
  const batch: TestCertificate = await createTestCertificate({
    subject: "C=US, O=Humanmark Bench, OU=Authenticator Attestation, CN=Bench Key Batch",
    issuer: intermediate,
    extensions: [aaguidExtension(aaguid)],
  })
  const authenticator = createSoftwareAuthenticator({ format: "packed", aaguid, attestation: { certificate: batch, intermediates: [intermediate.der] } })
  const verifier = createWebauthnVerifier({ rpId: RP_ID, origins: [ORIGIN], trustedRoots: { packed: [root.pem] } })
  const samples: Sample[] = []
  for (let index = 0; index < ROUND_SIZE; index += 1) {
    const commitment = randomCommitment()
    const challenge = randomNonce()
    const response = await authenticator.register({ challenge: webauthnChallengeFor(commitment, challenge), origin: ORIGIN, rpId: RP_ID })
    // Packed signs authenticatorData || sha256(clientDataJSON), with an ASN.1 DER signature.
    const attestationObject = decodeCBOR(new Uint8Array(Buffer.from(response.response.attestationObject, "base64url"))) as Map<string, CBORType>
    const authenticatorData = attestationObject.get("authData") as Uint8Array
    const statement = attestationObject.get("attStmt") as Map<string, CBORType>
    const clientDataHash = new Uint8Array(await crypto.subtle.digest("SHA-256", Buffer.from(response.response.clientDataJSON, "base64url")))
    samples.push({
      input: { attestation: response, commitment, challenge, now: new Date() },
      signed: {
        publicKey: batch.keys.publicKey,
        algorithm: { name: "ECDSA", hash: "SHA-256" },
        signature: derToP1363(statement.get("sig") as Uint8Array),
        data: new Uint8Array(Buffer.concat([authenticatorData, clientDataHash])),
      },
    })
  }
  return { verifier, samples }
}

/** ECDSA-Sig-Value (SEQUENCE of two INTEGERs) to WebCrypto's fixed-width r || s, for P-256. */
function derToP1363(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(64)
  let offset = 2 // SEQUENCE tag and a one-byte length: a P-256 signature is under 128 bytes
  for (const half of [0, 1]) {
    const length = der[offset + 1]!
    const integer = der.subarray(offset + 2, offset + 2 + length)
    const trimmed = integer[0] === 0 ? integer.subarray(1) : integer
    out.set(trimmed, half * 32 + 32 - trimmed.length)
    offset += 2 + length
  }
  return out
}

async function verification(report: Report): Promise<void> {
  report.setting("verificationRoundSize", ROUND_SIZE)
  report.setting("verificationRounds", ROUNDS)
  const p256 = await deviceStatementSamples("p256")
  await verifyThroughput(
    report,
    "device-statement, ES256 (P-256), chain of 2 to a root",
    p256.verifier,
    p256.samples,
    "ours: the device-statement verifier (COSE_Sign1 decode, X.509 path to the root with @peculiar/x509, statement signature, field checks), one at a time; baseline: crypto.subtle.verify of the same Sig_structure bytes with the leaf key. The chain adds two certificate signatures, so even pure cryptography would run at about a third of the baseline",
  )
  const ed25519 = await deviceStatementSamples("ed25519")
  await verifyThroughput(report, "device-statement, EdDSA (Ed25519 leaf)", ed25519.verifier, ed25519.samples, "as above with an Ed25519 device key (the dev attester's kind)")
  const packed = await webauthnPackedSamples()
  await verifyThroughput(
    report,
    "webauthn packed, ES256, chain of 2 to a root",
    packed.verifier,
    packed.samples,
    "ours: the webauthn verifier (our chain check, then @simplewebauthn/server's verifyRegistrationResponse); baseline: crypto.subtle.verify of authenticatorData || sha256(clientDataJSON) with the batch certificate's key",
  )
}

async function post<T>(stack: TestStack, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${stack.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

async function waitInGroup(stack: TestStack, commitment: bigint): Promise<void> {
  for (;;) {
    const view = (await (await fetch(`${stack.url}/v1/enrollments/${commitment}`)).json()) as { status: string }
    if (view.status === "in_group") return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function latency(report: Report, intervalMs: number): Promise<void> {
  const stack = await startTestStack({ env: { ENROLLMENT_BATCH_INTERVAL_MS: String(intervalMs) } })
  try {
    const { publicClient } = stack.clients
    const wallet = stack.clients.walletClient!
    const semaphore = stack.deployment.contracts.semaphore
    const receiptOf = (hash: Hash) => publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
    const created = await receiptOf(await wallet.writeContract({ address: semaphore, abi: semaphoreAbi, functionName: "createGroup", args: [] }))
    const [groupCreated] = parseEventLogs({ abi: semaphoreAbi, eventName: "GroupCreated", logs: created.logs })
    const baselineGroup = groupCreated!.args.groupId

    const ours: number[] = []
    const base: number[] = []
    // The first enrollment also creates the person group on chain: warm it up outside the figure.
    for (let run = -1; run < LATENCY_RUNS; run += 1) {
      const commitment = randomCommitment()
      const { nonce } = await post<{ nonce: string }>(stack, "/v1/enrollments/challenge", { commitment: commitment.toString() })
      const attested = await post<{ format: string; attestation: string }>(stack, "/v1/enrollments/dev-attestation", {
        commitment: commitment.toString(),
        nonce,
        person: `bench person ${intervalMs} ${run}`,
      })
      const { ms } = await timed(async () => {
        await post(stack, "/v1/enrollments", { ...attested, commitment: commitment.toString(), nonce })
        await waitInGroup(stack, commitment)
      })
      const bare = await timed(async () => {
        await receiptOf(await wallet.writeContract({ address: semaphore, abi: semaphoreAbi, functionName: "addMember", args: [baselineGroup, randomCommitment()] }))
      })
      if (run < 0) continue
      ours.push(ms)
      base.push(bare.ms)
      report.progress(`latency (${intervalMs} ms batching) ${run + 1}/${LATENCY_RUNS}: ${ms.toFixed(0)} ms to in group, bare addMember ${bare.ms.toFixed(0)} ms`)
    }
    report.figure({
      operation: `POST /v1/enrollments to in group (batch interval ${intervalMs.toLocaleString("en-US")} ms)`,
      unit: "ms",
      statistic: "median",
      ours,
      baseline: base,
      note:
        intervalMs === LATENCY_INTERVALS[0]
          ? "ours: POST an attested enrollment (challenge and dev attestation made before the clock starts), poll GET /v1/enrollments/:commitment every 10 ms until in_group; the worker is woken by each enrollment, so one enrollment at a time does not wait for the interval (it paces the worker only while enrollments keep arriving). Baseline: addMember sent by the deployer and mined, receipt polled every 10 ms"
          : undefined,
    })
  } finally {
    await stack.cleanup()
  }
}

async function gas(report: Report): Promise<void> {
  const chain: TestChain = await startTestChain()
  try {
    const semaphore = chain.deployment.contracts.semaphore
    const receiptOf = (hash: Hash) => chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
    const newGroup = async () => {
      const created = await receiptOf(await chain.walletClient.writeContract({ address: semaphore, abi: semaphoreAbi, functionName: "createGroup", args: [] }))
      return parseEventLogs({ abi: semaphoreAbi, eventName: "GroupCreated", logs: created.logs })[0]!.args.groupId
    }
    const perTransaction: Record<string, number[]> = {}
    for (const size of BATCH_SIZES) {
      // Both sides start from an empty group: insertion cost grows with the tree's depth.
      const batchGroup = await newGroup()
      const commitments = Array.from({ length: size }, randomCommitment)
      const batch = await receiptOf(await chain.walletClient.writeContract({ address: semaphore, abi: semaphoreAbi, functionName: "addMembers", args: [batchGroup, commitments] }))
      const singleGroup = await newGroup()
      const singles: number[] = []
      for (const commitment of Array.from({ length: size }, randomCommitment)) {
        const receipt = await receiptOf(await chain.walletClient.writeContract({ address: semaphore, abi: semaphoreAbi, functionName: "addMember", args: [singleGroup, commitment] }))
        singles.push(Number(receipt.gasUsed))
      }
      perTransaction[`addMember x${size}`] = singles
      const singleTotal = singles.reduce((sum, each) => sum + each, 0)
      report.progress(`gas, ${size} members: addMembers ${batch.gasUsed} in one tx, addMember ${singleTotal} in ${size}`)
      report.figure({
        operation: `gas per member, addMembers batch of ${size}`,
        unit: "gas",
        statistic: "single",
        ours: [Number(batch.gasUsed) / size],
        baseline: [singleTotal / size],
        note:
          size === BATCH_SIZES[0]
            ? "ours: the worker's transaction, addMembers(group, commitments) gasUsed / members; baseline: Semaphore's addMember once per member into another empty group, total gasUsed / members (21,000 base gas per tx included on both sides). Each addMember rehashes the path to the root, which grows with the tree, so its cost per member rises with the group while a batch shares the work"
            : undefined,
      })
    }
    report.setting("addMemberGasPerTransaction", perTransaction)
  } finally {
    await chain.stop()
  }
}

export async function run(report: Report): Promise<void> {
  await verification(report)
  for (const intervalMs of LATENCY_INTERVALS) await latency(report, intervalMs)
  await gas(report)
}
