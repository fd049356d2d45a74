// Two or more builds of the engine in one process, taking turns on one scenario file: on a shared
// machine, slow spells last seconds, so builds compared in separate processes (or minutes apart)
// differ by more than a small change does. Each round runs every library once over the whole
// stream (a fresh engine, the prefill untimed) in batches of 1,024. Prints, per library, the
// floor rate (chunk-floor.hpp) and the median of whole runs.
//   replay-ab FILE ROUNDS LIB.so LIB.so...
// The libraries must share this tree's ex_command layout (the file's header is checked).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../engine/engine.h"
#include "chunk-floor.hpp"
#include "scenario-file.hpp"

using Clock = std::chrono::steady_clock;

namespace {

struct Library {
    const char* path;
    ex_engine* (*create)(uint32_t, uint32_t, const ex_market*);
    void (*destroy)(ex_engine*);
    uint32_t (*process)(ex_engine*, const ex_command*, uint32_t, ex_event*, uint32_t);
    uint32_t (*drain)(ex_engine*, ex_event*, uint32_t);
    ChunkFloor floor;
    std::vector<double> rates;  // messages/s of each whole run
};

template <class F>
F symbol(void* handle, const char* name) {
    void* p = dlsym(handle, name);
    if (!p) { std::fprintf(stderr, "%s\n", dlerror()); std::exit(2); }
    return reinterpret_cast<F>(p);
}

std::vector<ex_event> events(1 << 16);

void run(Library& l, ex_engine* e, const std::vector<ex_command>& c, bool timed) {
    auto begin = Clock::now();
    if (timed) l.floor.begin();
    for (size_t i = 0; i < c.size();) {
        uint32_t k = slice(c.data(), c.size(), i, 1024);
        uint32_t got = l.process(e, c.data() + i, k, events.data(), static_cast<uint32_t>(events.size()));
        while (got == events.size()) got = l.drain(e, events.data(), static_cast<uint32_t>(events.size()));
        i += k;
        if (timed) l.floor.batch_done(i == c.size());
    }
    if (timed) l.rates.push_back(c.size() / std::chrono::duration<double>(Clock::now() - begin).count());
}

double median(std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) { std::fprintf(stderr, "usage: replay-ab FILE ROUNDS LIB.so LIB.so...\n"); return 2; }
    const Stream s = load_stream(argv[1]);
    const std::vector<ex_command>& prefill = s.prefill;
    const std::vector<ex_command>& messages = s.messages;
    int rounds = std::atoi(argv[2]);

    std::vector<Library> libraries;
    for (int i = 3; i < argc; ++i) {
        // RTLD_LOCAL: each library keeps its own ex_engine_* symbols.
        void* handle = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle) { std::fprintf(stderr, "%s\n", dlerror()); return 2; }
        libraries.push_back({argv[i], symbol<decltype(Library::create)>(handle, "ex_engine_create"),
                             symbol<decltype(Library::destroy)>(handle, "ex_engine_destroy"),
                             symbol<decltype(Library::process)>(handle, "ex_engine_process"),
                             symbol<decltype(Library::drain)>(handle, "ex_engine_drain"), {}, {}});
    }
    for (int r = 0; r < rounds; ++r) {
        for (Library& l : libraries) {
            ex_engine* e = l.create(1, 2, &s.market);
            run(l, e, prefill, false);
            run(l, e, messages, true);
            l.destroy(e);
        }
    }
    std::printf("{\"libraries\":[");
    for (size_t i = 0; i < libraries.size(); ++i) {
        const Library& l = libraries[i];
        std::printf("%s{\"path\":\"%s\",\"floorRate\":%.0f,\"medianRate\":%.0f}", i ? "," : "", l.path,
                    l.floor.rate(messages.size()), median(l.rates));
    }
    std::printf("]}\n");
    return 0;
}
