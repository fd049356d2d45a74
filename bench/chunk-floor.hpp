// A stream's floor time: it is timed in chunks, and each chunk keeps its fastest time over the
// runs. On a shared machine a run is slowed by others for seconds at a time, so the sum of the
// per-chunk minimums is the engine's own speed, the median of whole runs the typical one.
#pragma once
#include <chrono>
#include <cstddef>
#include <vector>

class ChunkFloor {
public:
    static constexpr size_t BATCHES = 16;  // batches per chunk

    // Starts a run.
    void begin() {
        chunk_ = 0;
        batches_ = 0;
        start_ = std::chrono::steady_clock::now();
    }
    // After each batch; `last`: the stream's last batch (its chunk may be shorter).
    void batch_done(bool last) {
        if (++batches_ % BATCHES != 0 && !last) return;
        auto now = std::chrono::steady_clock::now();
        double ns = std::chrono::duration<double, std::nano>(now - start_).count();
        if (chunk_ == best_.size()) best_.push_back(ns);
        else if (ns < best_[chunk_]) best_[chunk_] = ns;
        ++chunk_;
        start_ = now;
    }
    // Messages per second at the floor.
    double rate(size_t messages) const {
        double ns = 0;
        for (double x : best_) ns += x;
        return messages / (ns / 1e9);
    }

private:
    std::vector<double> best_;
    size_t chunk_ = 0, batches_ = 0;
    std::chrono::steady_clock::time_point start_;
};
