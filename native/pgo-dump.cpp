// Linked into the engine's instrumented build only (native/build.ts), for the training run to
// write its profile: Bun leaves a process without running a library's destructors, where libgcov
// would write it otherwise.
extern "C" void __gcov_dump(void);
extern "C" void ex_pgo_dump(void) { __gcov_dump(); }
