// c2pa-wasm's Builder reads its source Blob with FileReaderSync, a browser worker API that Node
// lacks (and Node cannot read a Blob synchronously). Signing test fixtures therefore uses a Blob
// that keeps its bytes, plus a FileReaderSync that reads only such Blobs. Reading manifests
// (WasmReader.fromBytes) needs none of this.

/** A Blob whose bytes stay reachable synchronously, including through `slice`. */
export class InMemoryBlob extends Blob {
  // Not `bytes`: Blob already has a `bytes()` method.
  readonly content: Uint8Array<ArrayBuffer>

  constructor(content: Uint8Array) {
    // A plain copy: a Buffer may be a view into Node's shared pool, whose `.buffer` holds other data.
    const copy = new Uint8Array(content)
    super([copy])
    this.content = copy
  }

  override slice(start?: number, end?: number): InMemoryBlob {
    return new InMemoryBlob(this.content.slice(start, end))
  }
}

class InMemoryFileReaderSync {
  readAsArrayBuffer(blob: Blob): ArrayBuffer {
    if (!(blob instanceof InMemoryBlob)) throw new TypeError("This FileReaderSync reads only InMemoryBlob instances.")
    return new Uint8Array(blob.content).buffer
  }
}

/** Defines `globalThis.FileReaderSync` when the runtime has none (Node). */
export function installFileReaderSync(): void {
  const scope = globalThis as { FileReaderSync?: unknown }
  scope.FileReaderSync ??= InMemoryFileReaderSync
}
