// First: @peculiar/x509 needs the Reflect metadata API as soon as it loads.
import "reflect-metadata"
import { createPrivateKey, randomBytes, sign } from "node:crypto"
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { CBORTag, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate, X509CertificateGenerator } from "@peculiar/x509"
import { HumanmarkError } from "../../sdk/errors.ts"
import type { ChainConfig } from "../config.ts"
import { COSE_ALGORITHM } from "./attestation/device-statement.ts"
import { decodeBase64url, encodeBase64url } from "./attestation/encoding.ts"

/** Every certificate of the dev attester says so in its subject, so nobody mistakes it for a device maker. */
export const DEV_ATTESTER_LABEL = "INSECURE DEV ATTESTER"
const VALIDITY_MS = 10 * 365 * 24 * 3_600_000
const COSE_SIGN1_TAG = 18
const HEADER = { algorithm: 1, x5chain: 33 } as const

/**
 * The dev attester signs anything for anyone: it exists so the whole enrollment flow runs on one
 * machine. It is allowed only with the embedded chain, whose groups nobody else relies on; with
 * `RPC_URL` (a real network) it must stay off.
 */
export function isDevAttesterAllowed(chain: ChainConfig): boolean {
  return chain.mode === "embedded"
}

export interface DevAttesterFile {
  version: 1
  rootPem: string
  devicePem: string
  /** PKCS #8 PEM of the device key (Ed25519). */
  deviceKeyPem: string
  /** base64url; keys personKey derivation, like a maker-wide secret. */
  personSecret: string
}

export interface DevAttestParameters {
  commitment: bigint
  /** The server's nonce, as issued. */
  challenge: string
  /** Who the "person" is, e.g. a name typed in a form: the same value always yields the same personKey. */
  person: string
  now?: Date
}

export interface DevAttester {
  /** The dev root, to add to the device-statement verifier's trusted roots. */
  rootPem: string
  /** A device statement (DEVICE-STATEMENT.md) as the base64url text a client sends. */
  attest(parameters: DevAttestParameters): string
}

/**
 * Loads the dev attester of a data folder, creating its root, device certificate and secrets on
 * first use. Created once and linked into place, so concurrent starts agree on one root.
 */
export async function loadOrCreateDevAttester({ dataDir }: { dataDir: string }): Promise<DevAttester> {
  const path = join(dataDir, "enrollment", "dev-attester.json")
  let file = readDevAttesterFile(path)
  if (!file) {
    const created = await generateDevAttesterFile()
    mkdirSync(dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
    writeFileSync(temporary, JSON.stringify(created, null, 2), { mode: 0o600 })
    try {
      linkSync(temporary, path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    } finally {
      unlinkSync(temporary)
    }
    file = readDevAttesterFile(path)!
  }
  return createDevAttester(file)
}

function readDevAttesterFile(path: string): DevAttesterFile | undefined {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  const file = JSON.parse(text) as DevAttesterFile
  if (file.version !== 1 || !file.rootPem || !file.devicePem || !file.deviceKeyPem || !file.personSecret) {
    throw new HumanmarkError("dev_attester_invalid", `The dev attester file ${path} is damaged; delete it to make a new one.`, { status: 500 })
  }
  return file
}

async function generateDevAttesterFile(): Promise<DevAttesterFile> {
  const algorithm = { name: "Ed25519" }
  const rootKeys = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair
  const deviceKeys = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair
  const notBefore = new Date(Date.now() - 3_600_000)
  const notAfter = new Date(Date.now() + VALIDITY_MS)
  const rootSubject = `CN=${DEV_ATTESTER_LABEL} Root, O=humanmark (${DEV_ATTESTER_LABEL}: never trust in production)`
  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: rootSubject,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: algorithm,
    extensions: [new BasicConstraintsExtension(true, 0, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
  })
  const device = await X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${DEV_ATTESTER_LABEL} Device, O=humanmark (${DEV_ATTESTER_LABEL}: never trust in production)`,
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: deviceKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [new BasicConstraintsExtension(false, undefined, true), new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true)],
  })
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", deviceKeys.privateKey)).toString("base64")
  return {
    version: 1,
    rootPem: root.toString("pem"),
    devicePem: device.toString("pem"),
    deviceKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`,
    personSecret: encodeBase64url(randomBytes(32)),
  }
}

function createDevAttester(file: DevAttesterFile): DevAttester {
  const deviceKey = createPrivateKey(file.deviceKeyPem)
  const deviceDer = new Uint8Array(new X509Certificate(file.devicePem).rawData)
  const personSecret = decodeBase64url(file.personSecret)!
  const protectedHeader = encodeCBOR(
    new Map<number, CBORType>([
      [HEADER.algorithm, COSE_ALGORITHM.EdDSA],
      [HEADER.x5chain, deviceDer],
    ]),
  )

  function attest({ commitment, challenge, person, now = new Date() }: DevAttestParameters): string {
    const personKey = hmac(sha256, personSecret, new TextEncoder().encode(person.normalize("NFC").trim().toLowerCase()))
    const payload = encodeCBOR(
      new Map<string, CBORType>([
        ["commitment", commitment.toString()],
        ["challenge", challenge],
        ["personKey", encodeBase64url(personKey)],
        ["issuedAt", now.toISOString()],
      ]),
    )
    const signature = sign(null, encodeCBOR(["Signature1", protectedHeader, new Uint8Array(0), payload]), deviceKey)
    return encodeBase64url(encodeCBOR(new CBORTag(COSE_SIGN1_TAG, [protectedHeader, new Map(), payload, new Uint8Array(signature)])))
  }

  return { rootPem: file.rootPem, attest }
}

function serialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f // a positive INTEGER
  return bytes.toString("hex")
}
