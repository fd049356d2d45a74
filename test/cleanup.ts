// Preloaded by `bun test` (bunfig.toml): the temporary directories go once every file has run.
import { afterAll } from "bun:test";
import { removeTempDirs } from "./temp-dirs";

afterAll(removeTempDirs);
