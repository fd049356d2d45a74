// Where the native libraries come from: the compiled binary embeds them (src/binary.ts registers
// the extracted paths); otherwise they are built from their sources on demand.
import { ensureEngineLibrary, ensureSigningLibrary } from "./build";

let embedded: { engine?: string; signing?: string } = {};

/** Paths to load instead of building (the binary's extracted files; PGO's instrumented engine). */
export function useEmbeddedLibraries(paths: { engine?: string; signing?: string }): void {
  embedded = paths;
}

export function engineLibraryPath(): string {
  return embedded.engine ?? ensureEngineLibrary();
}

export function signingLibraryPath(): string {
  return embedded.signing ?? ensureSigningLibrary();
}
