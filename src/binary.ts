// Entry point of the compiled single binary: embeds the native libraries (extracted and loaded at
// run time) and runs the same command line as src/main.ts.
import engine from "../native/build/libengine.so" with { type: "file" };
import signing from "../native/build/libsigning.so" with { type: "file" };
import { useEmbeddedLibraries } from "../native/library";

useEmbeddedLibraries({ engine, signing });
const { main } = await import("./main");
main(process.argv.slice(2));
