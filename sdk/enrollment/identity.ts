// Semaphore identities and their backup files. Browser and Node alike (no node: imports): the
// enrollment page and the CLI write and read the same file.
// The identity package alone (the class @semaphore-protocol/core re-exports): a page that only makes
// or restores identities does not pull in the prover.
import { Identity } from "@semaphore-protocol/identity"
import { HumanmarkError } from "../errors.ts"

/** The `version` of identity backup files this SDK writes and reads. */
export const IDENTITY_BACKUP_VERSION = "humanmark-identity/1"
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/
const FIELDS = ["version", "privateKey", "commitment", "createdAt"] as const

/**
 * An identity backup file. `privateKey` is the whole secret: whoever holds it can prove membership
 * (and vote, anchor as a human) in the identity's name, so the file must be kept like a password.
 */
export interface IdentityBackup {
  version: typeof IDENTITY_BACKUP_VERSION
  /** The private key as `Identity.export()` gives it (base64). */
  privateKey: string
  /** The public identity commitment, decimal: what the server and the group know. */
  commitment: string
  /** When the identity was created, ISO 8601. */
  createdAt: string
}

/** A new random Semaphore identity. Its secret never leaves this machine unless you export it. */
export function createIdentity(): Identity {
  return new Identity()
}

export interface ExportIdentityParameters {
  /** When the identity was made; default now. */
  createdAt?: Date
}

/** The backup file of an identity, as a JSON-ready object (write it with `JSON.stringify`). */
export function exportIdentity(identity: Identity, parameters: ExportIdentityParameters = {}): IdentityBackup {
  return {
    version: IDENTITY_BACKUP_VERSION,
    privateKey: identity.export(),
    commitment: identity.commitment.toString(),
    createdAt: (parameters.createdAt ?? new Date()).toISOString(),
  }
}

export interface ImportIdentityReturnType {
  identity: Identity
  /** The backup as validated, ready to be stored again unchanged. */
  backup: IdentityBackup
  createdAt: Date
}

/**
 * Reads a backup file (its text, or the parsed JSON) back into an identity. Throws
 * `invalid_identity_file`, naming the field that is wrong, for anything but an intact file of this
 * version; the stored commitment must be the one the private key yields, so a damaged or
 * hand-edited key is caught here and not at enrollment.
 */
export function importIdentity(file: unknown): ImportIdentityReturnType {
  const json = typeof file === "string" ? parseJson(file) : file
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalidIdentityBackup("An identity file is a JSON object.")
  }
  const record = json as Record<string, unknown>
  if (record.version !== IDENTITY_BACKUP_VERSION) {
    throw invalidIdentityBackup(`version: expected "${IDENTITY_BACKUP_VERSION}", found ${quoted(record.version)}.`)
  }
  const unknownFields = Object.keys(record).filter((key) => !(FIELDS as readonly string[]).includes(key))
  if (unknownFields.length > 0) throw invalidIdentityBackup(`unexpected field ${unknownFields.map((key) => `"${key}"`).join(", ")}.`)
  const { privateKey, commitment, createdAt } = record
  if (typeof privateKey !== "string" || privateKey.length === 0 || !BASE64.test(privateKey)) {
    throw invalidIdentityBackup("privateKey: expected the base64 text of Identity.export().")
  }
  if (typeof commitment !== "string" || !DECIMAL.test(commitment)) {
    throw invalidIdentityBackup("commitment: expected a decimal integer as text.")
  }
  if (typeof createdAt !== "string" || !ISO_INSTANT.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw invalidIdentityBackup("createdAt: expected an ISO 8601 date and time.")
  }
  let identity: Identity
  try {
    identity = Identity.import(privateKey)
  } catch (cause) {
    throw invalidIdentityBackup("privateKey: not a usable Semaphore private key.", cause)
  }
  if (identity.commitment.toString() !== commitment) {
    throw invalidIdentityBackup("commitment: it does not match the private key; the file was changed or damaged.")
  }
  return { identity, backup: { version: IDENTITY_BACKUP_VERSION, privateKey, commitment, createdAt }, createdAt: new Date(createdAt) }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw invalidIdentityBackup("The file is not valid JSON.", cause)
  }
}

function invalidIdentityBackup(problem: string, cause?: unknown): HumanmarkError {
  return new HumanmarkError("invalid_identity_file", `Not a usable humanmark identity file: ${problem}`, {
    details: `Identity files are written by exportIdentity (or \`humanmark identity create\`) as { version: "${IDENTITY_BACKUP_VERSION}", privateKey, commitment, createdAt }.`,
    cause,
  })
}

function quoted(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value).slice(0, 60)
}
