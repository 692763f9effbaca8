// The SDK entry for Node: everything in ./index.ts plus what needs the file system.
export * from "./index.ts"
export { loadSemaphoreArtifacts, semaphoreArtifactsDir } from "./semaphore/artifacts.node.ts"
export { sha256File } from "./anchors/digest.node.ts"
