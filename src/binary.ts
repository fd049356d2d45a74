// Entry point of the compiled single binary: embeds the engine library (extracted and loaded at
// run time) and runs the same command line as src/main.ts.
import library from "../native/build/libengine.so" with { type: "file" };
import { useEmbeddedLibrary } from "../native/library";

useEmbeddedLibrary(library);
const { main } = await import("./main");
main(process.argv.slice(2));
