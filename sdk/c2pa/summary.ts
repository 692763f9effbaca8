// The C2PA summary humanmark reports, and its construction from c2pa-rs's manifest store JSON
// (`Reader.json()`). Only this file knows that JSON's shape.

/**
 * C2PA validation states: `Invalid` (a failure such as a hash or signature mismatch), `Valid`
 * (intact, but the signer is not under a given trust anchor), `Trusted` (intact and trusted).
 */
export type C2paValidationState = "Invalid" | "Valid" | "Trusted"

/** C2PA status codes (e.g. `assertion.dataHash.mismatch`), grouped as the specification does. */
export interface C2paStatusCodes {
  success: string[]
  informational: string[]
  failure: string[]
}

export interface C2paSigner {
  /** The signing certificate's issuer organization, as c2pa-rs reports it. */
  issuer: string
  commonName?: string
  /** Signing time from a trusted timestamp (RFC 3339); absent when the signature has no timestamp. */
  time?: string
  /** COSE algorithm, e.g. `Es256`. */
  algorithm?: string
}

export interface C2paAction {
  /** e.g. `c2pa.created`, `c2pa.edited`, `c2pa.opened`. */
  action: string
  when?: string
  /** The tool that acted, as `name/version` when a version is given. */
  softwareAgent?: string
  /** IPTC digital source type URI, e.g. `.../digitalCapture` or `.../trainedAlgorithmicMedia`. */
  digitalSourceType?: string
}

export interface C2paIngredient {
  title: string | null
  format?: string
  /** `parentOf`, `componentOf` or `inputTo`. */
  relationship?: string
  /**
   * The ingredient's own manifest state: what was recorded when it was added combined with what
   * this validator found now. Absent for an ingredient without C2PA data.
   */
  validationState?: C2paValidationState
}

export interface C2paManifestSummary {
  /** The manifest's URN, e.g. `urn:c2pa:…`. */
  label: string
  title: string | null
  /** The generating software, as `name/version`. */
  claimGenerator: string | null
  /** Null when the signature could not be parsed. */
  signer: C2paSigner | null
  actions: C2paAction[]
  ingredients: C2paIngredient[]
}

/** What this validator found for one ingredient's manifest (C2PA "ingredient deltas"). */
export interface C2paIngredientResult {
  /** JUMBF URI of the ingredient assertion in the active manifest. */
  ingredientUri: string
  statusCodes: C2paStatusCodes
}

export interface C2paSummary {
  /** False when the file carries no C2PA manifest (not an error). */
  present: boolean
  validationState: C2paValidationState | null
  activeManifest: C2paManifestSummary | null
  /** Status codes for the active manifest. */
  statusCodes: C2paStatusCodes
  /** Present when an ingredient's manifest was checked; an ingredient can fail while the file is Trusted. */
  ingredientResults?: C2paIngredientResult[]
}

export const absentC2paSummary = (): C2paSummary => ({
  present: false,
  validationState: null,
  activeManifest: null,
  statusCodes: { success: [], informational: [], failure: [] },
})

// The parts of c2pa-rs's JSON read here; everything else is ignored.
interface StoreStatus {
  code?: string
}
interface StoreStatusGroups {
  success?: StoreStatus[]
  informational?: StoreStatus[]
  failure?: StoreStatus[]
}
interface StoreValidationResults {
  activeManifest?: StoreStatusGroups
  ingredientDeltas?: { ingredientAssertionURI?: string; validationDeltas?: StoreStatusGroups }[]
}
interface StoreGenerator {
  name?: string
  version?: string
}
interface StoreIngredient {
  title?: string
  format?: string
  relationship?: string
  label?: string
  active_manifest?: string
  validation_results?: StoreValidationResults
  validation_status?: StoreStatus[]
}
interface StoreManifest {
  label?: string
  title?: string
  claim_generator?: string
  claim_generator_info?: StoreGenerator[]
  assertions?: { label?: string; data?: { actions?: StoreAction[] } }[]
  ingredients?: StoreIngredient[]
  signature_info?: { issuer?: string; common_name?: string; time?: string; alg?: string }
}
interface StoreAction {
  action?: string
  when?: string
  softwareAgent?: string | StoreGenerator
  digitalSourceType?: string
}
export interface ManifestStoreJson {
  active_manifest?: string
  manifests?: Record<string, StoreManifest>
  validation_state?: string
  validation_results?: StoreValidationResults
  /** Older flat list of failures, used when `validation_results` is missing. */
  validation_status?: StoreStatus[]
}

const VALIDATION_STATES: readonly string[] = ["Invalid", "Valid", "Trusted"]

const codesOf = (statuses: StoreStatus[] | undefined): string[] =>
  (statuses ?? []).map((status) => status.code).filter((code): code is string => typeof code === "string")

const groupCodes = (groups: StoreStatusGroups | undefined): C2paStatusCodes => ({
  success: codesOf(groups?.success),
  informational: codesOf(groups?.informational),
  failure: codesOf(groups?.failure),
})

const generatorName = (generator: string | StoreGenerator | undefined): string | undefined => {
  if (typeof generator === "string") return generator
  if (!generator?.name) return undefined
  return generator.version ? `${generator.name}/${generator.version}` : generator.name
}

/** Same rule as c2pa-rs: any failure but an untrusted signer is Invalid; Trusted needs a trusted signer. */
function stateFromCodes(codes: C2paStatusCodes): C2paValidationState {
  if (codes.failure.some((code) => code !== "signingCredential.untrusted")) return "Invalid"
  return codes.success.includes("signingCredential.trusted") ? "Trusted" : "Valid"
}

function summarizeIngredient(ingredient: StoreIngredient, deltas: C2paIngredientResult[]): C2paIngredient {
  const summary: C2paIngredient = { title: ingredient.title ?? null }
  if (ingredient.format) summary.format = ingredient.format
  if (ingredient.relationship) summary.relationship = ingredient.relationship
  const recorded = ingredient.validation_results?.activeManifest
    ? groupCodes(ingredient.validation_results.activeManifest)
    : ingredient.validation_status
      ? { success: [], informational: [], failure: codesOf(ingredient.validation_status) }
      : undefined
  if (ingredient.active_manifest || recorded) {
    const delta = deltas.find((result) => ingredient.label !== undefined && result.ingredientUri.endsWith(`/${ingredient.label}`))
    const combined: C2paStatusCodes = {
      success: [...(recorded?.success ?? []), ...(delta?.statusCodes.success ?? [])],
      informational: [...(recorded?.informational ?? []), ...(delta?.statusCodes.informational ?? [])],
      failure: [...(recorded?.failure ?? []), ...(delta?.statusCodes.failure ?? [])],
    }
    summary.validationState = stateFromCodes(combined)
  }
  return summary
}

function summarizeManifest(label: string, manifest: StoreManifest, deltas: C2paIngredientResult[]): C2paManifestSummary {
  const actions: C2paAction[] = (manifest.assertions ?? [])
    .filter((assertion) => /^c2pa\.actions(\.v2)?(__\d+)?$/.test(assertion.label ?? ""))
    .flatMap((assertion) => assertion.data?.actions ?? [])
    .filter((action) => typeof action.action === "string")
    .map((action) => {
      const summary: C2paAction = { action: action.action! }
      if (action.when) summary.when = action.when
      const agent = generatorName(action.softwareAgent)
      if (agent) summary.softwareAgent = agent
      if (action.digitalSourceType) summary.digitalSourceType = action.digitalSourceType
      return summary
    })
  const info = manifest.signature_info
  let signer: C2paSigner | null = null
  if (info) {
    signer = { issuer: info.issuer ?? "" }
    if (info.common_name) signer.commonName = info.common_name
    if (info.time) signer.time = info.time
    if (info.alg) signer.algorithm = info.alg
  }
  return {
    label,
    title: manifest.title ?? null,
    claimGenerator: manifest.claim_generator ?? generatorName(manifest.claim_generator_info?.[0]) ?? null,
    signer,
    actions,
    ingredients: (manifest.ingredients ?? []).map((ingredient) => summarizeIngredient(ingredient, deltas)),
  }
}

/** Turns c2pa-rs's manifest store JSON into the summary. */
export function summarizeManifestStore(store: ManifestStoreJson): C2paSummary {
  const results = store.validation_results
  const ingredientResults: C2paIngredientResult[] = (results?.ingredientDeltas ?? []).map((delta) => ({
    ingredientUri: delta.ingredientAssertionURI ?? "",
    statusCodes: groupCodes(delta.validationDeltas),
  }))
  const statusCodes = results?.activeManifest
    ? groupCodes(results.activeManifest)
    : { success: [], informational: [], failure: codesOf(store.validation_status) }
  const label = store.active_manifest
  const manifest = label === undefined ? undefined : store.manifests?.[label]
  const summary: C2paSummary = {
    present: true,
    validationState: VALIDATION_STATES.includes(store.validation_state ?? "")
      ? (store.validation_state as C2paValidationState)
      : stateFromCodes(statusCodes),
    activeManifest: label !== undefined && manifest ? summarizeManifest(label, manifest, ingredientResults) : null,
    statusCodes,
  }
  if (ingredientResults.length > 0) summary.ingredientResults = ingredientResults
  return summary
}
