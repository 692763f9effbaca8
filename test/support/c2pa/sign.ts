// Signs test assets with c2pa-wasm's real Builder, so reading tests check files made by the same
// library family that real tools use, without committing anyone's sample files.
import { loadC2paWasm } from "../../../sdk/c2pa/wasm.node.ts"
import type { TestCredentials } from "./certificates.ts"
import { signClaimEs256 } from "./cose.ts"
import { InMemoryBlob, installFileReaderSync } from "./file-reader-sync.ts"

export const TEST_CLAIM_GENERATOR = { name: "humanmark-test", version: "0.1.0" }
const DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
// Room for the COSE signature box: the certificate chain plus the signature, with margin.
const RESERVE_SIZE = 10_000

export interface TestIngredient {
  title: string
  bytes: Uint8Array
  mimeType: string
  /** Defaults to `parentOf`. */
  relationship?: "parentOf" | "componentOf" | "inputTo"
}

export interface SignTestAssetParameters {
  credentials: TestCredentials
  bytes: Uint8Array
  mimeType: string
  title?: string
  /** Defaults to `c2pa.created` (digital capture) then `c2pa.edited`; with an ingredient, `c2pa.opened` then `c2pa.edited`. */
  actions?: Record<string, unknown>[]
  ingredient?: TestIngredient
}

/** The asset's bytes with an embedded C2PA manifest signed by `credentials.signer` (ES256). */
export async function signTestAsset(parameters: SignTestAssetParameters): Promise<Uint8Array> {
  installFileReaderSync()
  const { WasmBuilder } = loadC2paWasm()
  const when = new Date().toISOString()
  const agent = { name: "humanmark-test-editor", version: "1.0" }
  const ingredientLabel = "ingredient-1"
  const actions = parameters.actions ??
    (parameters.ingredient
      ? [
          { action: "c2pa.opened", when, softwareAgent: agent, parameters: { ingredientIds: [ingredientLabel] } },
          { action: "c2pa.edited", when, softwareAgent: agent },
        ]
      : [
          { action: "c2pa.created", when, softwareAgent: TEST_CLAIM_GENERATOR, digitalSourceType: DIGITAL_CAPTURE },
          { action: "c2pa.edited", when, softwareAgent: agent },
        ])
  const definition = {
    claim_generator_info: [TEST_CLAIM_GENERATOR],
    title: parameters.title ?? "test-asset",
    format: parameters.mimeType,
    assertions: [{ label: "c2pa.actions", data: { actions } }],
  }
  // Signing never needs the network either; checking after signing is off so that tests can make
  // files that fail validation (an expired certificate).
  const context = JSON.stringify({ verify: { verify_trust: false, verify_after_sign: false, remote_manifest_fetch: false, ocsp_fetch: false } })
  const builder = WasmBuilder.fromJson(JSON.stringify(definition), context)
  try {
    const { ingredient } = parameters
    if (ingredient) {
      const description = { title: ingredient.title, relationship: ingredient.relationship ?? "parentOf", label: ingredientLabel }
      await builder.addIngredientFromBlob(JSON.stringify(description), ingredient.mimeType, new InMemoryBlob(ingredient.bytes))
    }
    const signer = {
      alg: "es256",
      reserveSize: RESERVE_SIZE,
      sign: async (claim: Uint8Array) =>
        signClaimEs256({
          claim,
          privateKey: parameters.credentials.signer.privateKey,
          certificateChain: [parameters.credentials.signer.der],
          reserveSize: RESERVE_SIZE,
        }) as Uint8Array<ArrayBuffer>,
    }
    return new Uint8Array(await builder.sign(signer, [], parameters.mimeType, new InMemoryBlob(parameters.bytes)))
  } finally {
    builder.free()
  }
}
