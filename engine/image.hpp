// A snapshot of the engine is an image of its state: every pool, index and balance written as it
// is in memory (all links are 32-bit indices, never pointers, so an image is position-free), with
// a header and a checksum. Restoring one gives back exactly the engine that was saved, free lists
// included, so a restored engine goes on to emit the same events as the original.
//
// Each class describes its state once, in `template <class A> void image(A&)`, which both
// ImageWriter (saving) and ImageReader (restoring) walk.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace ex {

class ImageWriter {
public:
    static constexpr bool reading = false;
    std::vector<uint8_t> bytes;

    template <class T>
    void scalar(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(&v, sizeof v);
    }

    template <class T>
    void vec(std::vector<T>& v) {
        uint64_t n = v.size();
        scalar(n);
        if constexpr (std::is_trivially_copyable_v<T>) {
            put(v.data(), n * sizeof(T));
        } else {
            for (T& item : v) item.image(*this);
        }
    }

private:
    void put(const void* p, size_t n) {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
    }
};

class ImageReader {
public:
    static constexpr bool reading = true;

    ImageReader(const uint8_t* data, uint64_t size) : at_(data), end_(data + size) {}

    bool ok() const { return ok_; }
    bool done() const { return ok_ && at_ == end_; }

    template <class T>
    void scalar(T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        take(&v, sizeof v);
    }

    // Trivially copyable elements are taken in one copy; others (books, trails) one by one.
    template <class T>
    void vec(std::vector<T>& v) {
        uint64_t n = 0;
        scalar(n);
        if (!ok_ || n > static_cast<uint64_t>(end_ - at_)) return fail();
        if constexpr (std::is_trivially_copyable_v<T>) {
            v.resize(n);
            take(v.data(), n * sizeof(T));
        } else {
            v.clear();
            v.reserve(n);
            for (uint64_t i = 0; i < n && ok_; ++i) v.emplace_back().image(*this);
        }
    }

private:
    void take(void* p, size_t n) {
        if (!ok_ || n > static_cast<size_t>(end_ - at_)) return fail();
        std::memcpy(p, at_, n);
        at_ += n;
    }
    void fail() { ok_ = false; }

    const uint8_t* at_;
    const uint8_t* end_;
    bool ok_ = true;
};

// FNV-1a over the body: a damaged image is refused instead of restored into a wrong book.
inline uint64_t image_checksum(const uint8_t* p, uint64_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

}  // namespace ex
