// The /enroll tool: an identity kept in this browser (with backup export and import), enrollment
// through the server's attester, and progress until the commitment is in the on-chain group.
import type { Identity } from "@semaphore-protocol/identity"
import { createHumanmarkClient } from "../../../sdk/client.ts"
import { createIdentity, exportIdentity, importIdentity, type IdentityBackup } from "../../../sdk/enrollment/identity.ts"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { downloadJson } from "./anchors-api.ts"
import { loadStoredIdentity, storeIdentity } from "./identity-store.ts"

const POLL_MS = 1_000

type Step = "challenge" | "attest" | "record" | "group"

interface EnrollmentView {
  commitment: string
  status: "pending" | "in_group" | "replaced" | "revoked"
  level: string
  groupId?: string
  leafIndex?: number
  txHash?: string
  root?: string
}

export function startEnrollTool(root: Document): void {
  const client = createHumanmarkClient({ serverUrl: window.location.origin })
  const identityPanel = root.querySelector<HTMLElement>("[data-testid=identity-panel]")!
  const enrollPanel = root.querySelector<HTMLElement>("[data-testid=enroll-panel]")!
  const personInput = root.querySelector<HTMLInputElement>("[data-testid=enroll-person]")!
  const enrollButton = root.querySelector<HTMLButtonElement>("[data-testid=enroll-button]")!
  const recoverButton = root.querySelector<HTMLButtonElement>("[data-testid=enroll-recover]")!
  const errorText = root.querySelector<HTMLElement>("[data-testid=enroll-error]")!
  const byTestId = (id: string) => root.querySelector<HTMLElement>(`[data-testid=${id}]`)!

  let identity: Identity | undefined
  let backup: IdentityBackup | undefined
  let following = 0

  const showIdentity = () => {
    identityPanel.dataset.state = identity ? "ready" : "none"
    byTestId("identity-summary").textContent = identity
      ? `Identity created ${new Date(backup!.createdAt).toLocaleString()}. Its public commitment:`
      : "No identity in this browser yet."
    byTestId("identity-commitment").textContent = identity ? identity.commitment.toString() : ""
    byTestId("identity-create").hidden = identity !== undefined
    ;(byTestId("identity-export") as HTMLButtonElement).disabled = !identity
    ;(byTestId("identity-forget") as HTMLButtonElement).disabled = !identity
    enrollButton.disabled = !identity || personInput.value.trim() === ""
  }

  /** `mayBeEnrolled`: false for an identity made just now, which the server cannot know yet. */
  const adopt = (next: Identity | undefined, nextBackup: IdentityBackup | undefined, mayBeEnrolled = true) => {
    identity = next
    backup = nextBackup
    storeIdentity(nextBackup)
    following += 1 // stop following the previous identity's enrollment
    resetProgress()
    showIdentity()
    if (identity && mayBeEnrolled) void refreshStatus(identity.commitment.toString())
  }

  const showError = (message: string | undefined) => {
    errorText.textContent = message ?? ""
    errorText.hidden = !message
  }

  const setStep = (step: Step, state: "active" | "done") => {
    const order: Step[] = ["challenge", "attest", "record", "group"]
    for (const item of root.querySelectorAll<HTMLElement>("[data-testid=enroll-steps] li")) {
      const index = order.indexOf(item.dataset.step as Step)
      const current = order.indexOf(step)
      item.dataset.done = String(index < current || (index === current && state === "done"))
      item.dataset.active = String(index === current && state === "active")
    }
  }

  const resetProgress = () => {
    for (const item of root.querySelectorAll<HTMLElement>("[data-testid=enroll-steps] li")) {
      item.dataset.done = "false"
      item.dataset.active = "false"
    }
    byTestId("enroll-facts").hidden = true
    enrollPanel.dataset.state = "idle"
    recoverButton.hidden = true
    showError(undefined)
  }

  const showEnrollment = (view: EnrollmentView) => {
    enrollPanel.dataset.state = view.status
    byTestId("enroll-facts").hidden = false
    byTestId("enroll-status").textContent = { pending: "Pending: waiting for the next group update", in_group: "In the group", replaced: "Replaced by a newer identity", revoked: "Revoked" }[view.status]
    byTestId("enroll-level").textContent = view.level
    byTestId("enroll-group").textContent = view.groupId ?? "—"
    byTestId("enroll-leaf").textContent = view.leafIndex === undefined ? "—" : String(view.leafIndex)
    byTestId("enroll-tx").textContent = view.txHash ?? "—"
    byTestId("enroll-root").textContent = view.root ?? "—"
    if (view.status === "in_group") setStep("group", "done")
    else if (view.status === "pending") setStep("group", "active")
  }

  /** Shows where this identity stands (after a reload, say); an unknown commitment is simply not enrolled. */
  const refreshStatus = async (commitment: string) => {
    try {
      const view = await client.request<EnrollmentView>(`/v1/enrollments/${commitment}`)
      showEnrollment(view)
      if (view.status === "pending") void follow(commitment)
    } catch {
      // Not enrolled yet (404) or the server is away: nothing to show.
    }
  }

  const follow = async (commitment: string) => {
    const ticket = ++following
    while (ticket === following) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      if (ticket !== following) return
      try {
        const view = await client.request<EnrollmentView>(`/v1/enrollments/${commitment}`)
        showEnrollment(view)
        if (view.status !== "pending") return
      } catch {
        // Try again at the next tick.
      }
    }
  }

  const enroll = async (recover: boolean) => {
    if (!identity) return
    const commitment = identity.commitment.toString()
    resetProgress()
    enrollButton.disabled = true
    try {
      setStep("challenge", "active")
      const { nonce } = await client.request<{ nonce: string }>("/v1/enrollments/challenge", { body: { commitment } })
      setStep("attest", "active")
      const { format, attestation } = await client.request<{ format: string; attestation: string }>("/v1/enrollments/dev-attestation", {
        body: { commitment, nonce, person: personInput.value.trim() },
      })
      setStep("record", "active")
      const view = await client.request<EnrollmentView>("/v1/enrollments", { body: { format, attestation, commitment, nonce, recover } })
      showEnrollment(view)
      if (view.status === "pending") void follow(commitment)
    } catch (error) {
      enrollPanel.dataset.state = "error"
      if (isHumanmarkError(error) && error.code === "already_enrolled") {
        showError("This person is already enrolled with another identity. If you lost that identity, replace it: the old one leaves the group.")
        recoverButton.hidden = false
      } else {
        showError(isHumanmarkError(error) ? `${error.message}${error.details ? ` ${error.details}` : ""}` : "The server could not be reached.")
      }
    } finally {
      enrollButton.disabled = !identity || personInput.value.trim() === ""
    }
  }

  byTestId("identity-create").addEventListener("click", () => {
    const created = createIdentity()
    adopt(created, exportIdentity(created), false)
  })
  byTestId("identity-export").addEventListener("click", () => {
    if (backup) downloadJson("humanmark-identity.json", backup)
  })
  byTestId("identity-forget").addEventListener("click", () => {
    if (confirm("Forget this identity? Without a backup it cannot be used again.")) adopt(undefined, undefined)
  })
  byTestId("identity-import").addEventListener("change", async (event) => {
    const input = event.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ""
    if (!file) return
    try {
      const imported = importIdentity(await file.text())
      adopt(imported.identity, imported.backup)
    } catch (error) {
      showError(`That file is not a humanmark identity backup${isHumanmarkError(error) ? `: ${error.message}` : "."}`)
    }
  })
  personInput.addEventListener("input", showIdentity)
  enrollButton.addEventListener("click", () => void enroll(false))
  recoverButton.addEventListener("click", () => void enroll(true))

  void client
    .request<{ formats: string[]; devAttester: boolean }>("/v1/enrollments/attesters")
    .then(({ devAttester }) => {
      byTestId("dev-attester-warning").hidden = !devAttester
      if (!devAttester) {
        personInput.disabled = true
        showError("This server has no software attester: enroll with a personhood device or a FIDO2 authenticator through the API.")
      }
    })
    .catch(() => showError("The server could not be reached."))

  const restored = loadStoredIdentity()
  if (restored) {
    identity = restored.identity
    backup = restored.backup
    void refreshStatus(restored.identity.commitment.toString())
  }
  showIdentity()
}
