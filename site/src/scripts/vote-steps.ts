// The steps of an anonymous vote made in this browser (membership proof, proving key, proof, relay,
// inclusion), shown by the VoteSteps component. Shared by the poll and governance pages.
import type { SemaphoreArtifacts } from "../../../sdk/semaphore/artifacts.ts"
import { createFetchingArtifactLoader } from "../../../sdk/semaphore/artifacts.browser.ts"

export type VoteStep = "membership" | "artifacts" | "prove" | "submit" | "included"
const STEPS: VoteStep[] = ["membership", "artifacts", "prove", "submit", "included"]

export interface VoteStepper {
  setStep(step: VoteStep, state: "active" | "done"): void
  /** Downloads the proving key with a progress bar, marking the artifacts then prove steps. */
  loadArtifacts(depth: number): Promise<SemaphoreArtifacts>
  /** Hides the download progress bar (after a failure too). */
  hideProgress(): void
}

export function createVoteStepper(root: Document): VoteStepper {
  const progress = root.querySelector<HTMLProgressElement>("[data-testid=vote-progress]")!
  const setStep = (step: VoteStep, state: "active" | "done") => {
    for (const item of root.querySelectorAll<HTMLElement>("[data-testid=vote-steps] li")) {
      const index = STEPS.indexOf(item.dataset.step as VoteStep)
      const current = STEPS.indexOf(step)
      item.dataset.done = String(index < current || (index === current && state === "done"))
      item.dataset.active = String(index === current && state === "active")
    }
  }
  const load = createFetchingArtifactLoader({
    onProgress: ({ receivedBytes, totalBytes }) => {
      progress.hidden = false
      if (totalBytes) progress.value = (100 * receivedBytes) / totalBytes
    },
  })
  return {
    setStep,
    async loadArtifacts(depth) {
      setStep("artifacts", "active")
      const artifacts = await load(depth)
      progress.hidden = true
      setStep("prove", "active")
      return artifacts
    },
    hideProgress: () => {
      progress.hidden = true
    },
  }
}
