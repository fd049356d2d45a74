// A scenario file (bench/scenarios.ts writes them): a header, the market, the prefill and the
// messages, as ex_command structs of this tree's layout.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../engine/engine.h"

struct Stream {
    ex_market market;
    std::vector<ex_command> prefill, messages;
};

// Reads a scenario file, or exits (2) naming what is wrong with it.
inline Stream load_stream(const char* path) {
    FILE* f = std::fopen(path, "rb");
    if (!f) { std::perror(path); std::exit(2); }
    uint32_t header[4];
    if (std::fread(header, sizeof header, 1, f) != 1 || header[0] != 0x53435845u || header[1] != sizeof(ex_command)) {
        std::fprintf(stderr, "%s: not a scenario file of this layout\n", path);
        std::exit(2);
    }
    Stream s;
    if (std::fread(&s.market, sizeof s.market, 1, f) != 1) {
        std::fprintf(stderr, "%s: truncated\n", path);
        std::exit(2);
    }
    s.prefill.resize(header[2]);
    s.messages.resize(header[3]);
    if (std::fread(s.prefill.data(), sizeof(ex_command), s.prefill.size(), f) != s.prefill.size() ||
        std::fread(s.messages.data(), sizeof(ex_command), s.messages.size(), f) != s.messages.size()) {
        std::fprintf(stderr, "%s: truncated\n", path);
        std::exit(2);
    }
    std::fclose(f);
    return s;
}

// How many commands from `i` make a slice of about `want`: an order list's two commands are never
// split (the engine takes them in one call).
inline uint32_t slice(const ex_command* cmds, size_t n, size_t i, size_t want) {
    size_t k = std::min(want, n - i);
    if (i + k < n && cmds[i + k - 1].link != EX_LINK_NONE) ++k;
    return static_cast<uint32_t>(k);
}
