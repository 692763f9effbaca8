/**
 * Dropping files on a `.dropzone` label picks them for its file input, exactly as choosing them
 * would (a `change` event follows); `data-dragging` lets the style react while files hover.
 */
export function acceptDrops(input: HTMLInputElement): void {
  const zone = input.closest<HTMLElement>(".dropzone")
  if (!zone) return
  zone.addEventListener("dragover", (event) => {
    event.preventDefault()
    zone.dataset.dragging = "true"
  })
  zone.addEventListener("dragleave", () => delete zone.dataset.dragging)
  zone.addEventListener("drop", (event) => {
    event.preventDefault()
    delete zone.dataset.dragging
    if (!event.dataTransfer?.files.length) return
    input.files = event.dataTransfer.files
    input.dispatchEvent(new Event("change"))
  })
}
