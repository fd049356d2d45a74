// C++-only replay of a scenario file (bench/scenarios.ts): the engine alone, no FFI, no JS.
//   replay FILE [runs] [batch]
// Throughput: each run prefills a fresh engine, then times processing the whole stream in batches.
// Latency: a separate pass on a fresh engine times each message alone (one ex_engine_process call
// per message), after measuring the timer's own overhead. Prints one JSON object.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../engine/engine.h"
#include "chunk-floor.hpp"
#include "scenario-file.hpp"

using Clock = std::chrono::steady_clock;

static double ns_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::nano>(b - a).count();
}

static std::vector<ex_event> events(1 << 16);

static uint64_t run(ex_engine* e, const ex_command* cmds, size_t n, size_t batch, ChunkFloor* floor = nullptr) {
    uint64_t count = 0;
    if (floor) floor->begin();
    for (size_t i = 0; i < n;) {
        uint32_t k = slice(cmds, n, i, batch);
        i += k;
        uint32_t got = ex_engine_process(e, cmds + i - k, k, events.data(), static_cast<uint32_t>(events.size()));
        count += got;
        while (got == events.size()) count += (got = ex_engine_drain(e, events.data(), static_cast<uint32_t>(events.size())));
        if (floor) floor->batch_done(i == n);
    }
    return count;
}

static double percentile(std::vector<float>& sorted, double p) {
    size_t i = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

int main(int argc, char** argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: replay FILE [runs] [batch]\n"); return 2; }
    Stream s = load_stream(argv[1]);
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    size_t batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1024;

    std::vector<double> rates;
    ChunkFloor floor;  // the floor rate: see chunk-floor.hpp
    uint64_t event_count = 0;
    uint32_t levels = 0;
    uint64_t resting = 0;
    for (int r = 0; r < runs; ++r) {
        ex_engine* e = ex_engine_create(1, 2, &s.market);
        run(e, s.prefill.data(), s.prefill.size(), 1024);
        auto t0 = Clock::now();
        event_count = run(e, s.messages.data(), s.messages.size(), batch, &floor);
        auto t1 = Clock::now();
        rates.push_back(s.messages.size() / (ns_between(t0, t1) / 1e9));
        std::vector<int64_t> depth(2 * 100000);
        levels = ex_engine_depth(e, 0, 0, 100000, depth.data()) + ex_engine_depth(e, 0, 1, 100000, depth.data());
        resting = ex_engine_order_count(e);
        ex_engine_destroy(e);
    }
    std::vector<double> sorted_rates = rates;
    std::sort(sorted_rates.begin(), sorted_rates.end());

    // Timer overhead: back-to-back reads of the clock.
    std::vector<float> overhead(1000000);
    for (auto& o : overhead) {
        auto a = Clock::now();
        auto b = Clock::now();
        o = static_cast<float>(ns_between(a, b));
    }
    std::sort(overhead.begin(), overhead.end());

    // Latency pass: one message per call (an order list's two commands in one), timed alone.
    ex_engine* e = ex_engine_create(1, 2, &s.market);
    run(e, s.prefill.data(), s.prefill.size(), 1024);
    std::vector<float> latency;
    latency.reserve(s.messages.size());
    for (size_t i = 0; i < s.messages.size();) {
        uint32_t k = slice(s.messages.data(), s.messages.size(), i, 1);
        auto a = Clock::now();
        uint32_t got = ex_engine_process(e, &s.messages[i], k, events.data(), static_cast<uint32_t>(events.size()));
        while (got == events.size()) got = ex_engine_drain(e, events.data(), static_cast<uint32_t>(events.size()));
        auto b = Clock::now();
        latency.push_back(static_cast<float>(ns_between(a, b)));
        i += k;
    }
    ex_engine_destroy(e);
    std::sort(latency.begin(), latency.end());

    std::printf("{\"messages\":%zu,\"prefill\":%zu,\"batch\":%zu,\"events\":%llu,\"restingAtEnd\":%llu,\"levelsAtEnd\":%u,"
                "\"rates\":[", s.messages.size(), s.prefill.size(), batch,
                static_cast<unsigned long long>(event_count), static_cast<unsigned long long>(resting), levels);
    for (size_t i = 0; i < rates.size(); ++i) std::printf("%s%.0f", i ? "," : "", rates[i]);
    std::printf("],\"floorRate\":%.0f,\"medianRate\":%.0f,\"latencyNs\":{\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%.0f},"
                "\"timerOverheadNs\":{\"p50\":%.0f,\"p99\":%.0f}}\n",
                floor.rate(s.messages.size()), sorted_rates[sorted_rates.size() / 2], percentile(latency, 0.5), percentile(latency, 0.99),
                percentile(latency, 0.999), latency.back(), percentile(overhead, 0.5), percentile(overhead, 0.99));
    return 0;
}
