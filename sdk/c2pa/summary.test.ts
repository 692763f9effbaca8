import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { summarizeManifestStore } from "./summary.ts"

// Files signed with claim version 1 (most files in the wild before 2025) use other field shapes
// than the version 2 claims c2pa-wasm writes today; readC2pa's tests cover version 2.
describe("summarizeManifestStore", () => {
  it("reads version 1 claims: claim_generator string, string software agents, flat validation_status", () => {
    const summary = summarizeManifestStore({
      active_manifest: "urn:uuid:1",
      manifests: {
        "urn:uuid:1": {
          claim_generator: "make_test_images/0.33.1 c2pa-rs/0.33.1",
          title: "CA.jpg",
          assertions: [
            { label: "c2pa.actions", data: { actions: [{ action: "c2pa.opened", softwareAgent: "Adobe Photoshop 25.0" }] } },
            { label: "c2pa.actions__1", data: { actions: [{ action: "c2pa.color_adjustments" }] } },
            { label: "stds.schema-org.CreativeWork", data: {} },
          ],
          ingredients: [{ title: "A.jpg", format: "image/jpeg", relationship: "parentOf" }],
          signature_info: { issuer: "C2PA Test Signing Cert", time: "2024-03-01T00:00:00+00:00" },
        },
      },
      validation_status: [{ code: "signingCredential.untrusted" }],
    })
    assert.equal(summary.validationState, "Valid")
    assert.deepEqual(summary.statusCodes, { success: [], informational: [], failure: ["signingCredential.untrusted"] })
    assert.equal(summary.activeManifest?.claimGenerator, "make_test_images/0.33.1 c2pa-rs/0.33.1")
    assert.deepEqual(summary.activeManifest?.signer, { issuer: "C2PA Test Signing Cert", time: "2024-03-01T00:00:00+00:00" })
    assert.deepEqual(summary.activeManifest?.actions, [
      { action: "c2pa.opened", softwareAgent: "Adobe Photoshop 25.0" },
      { action: "c2pa.color_adjustments" },
    ])
    assert.deepEqual(summary.activeManifest?.ingredients, [{ title: "A.jpg", format: "image/jpeg", relationship: "parentOf" }])
  })

  it("keeps a store without an active manifest as present, with no manifest summary", () => {
    const summary = summarizeManifestStore({ manifests: {}, validation_state: "Invalid" })
    assert.equal(summary.present, true)
    assert.equal(summary.validationState, "Invalid")
    assert.equal(summary.activeManifest, null)
  })
})
