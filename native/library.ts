// Where the engine's shared library comes from: the compiled binary embeds it (src/binary.ts
// registers the extracted path); otherwise it is built from engine/ on demand.
import { ensureEngineLibrary } from "./build";

let embeddedPath: string | undefined;

export function useEmbeddedLibrary(path: string): void {
  embeddedPath = path;
}

export function engineLibraryPath(): string {
  return embeddedPath ?? ensureEngineLibrary();
}
