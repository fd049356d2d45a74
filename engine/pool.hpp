// A growable pool of T addressed by 32-bit index, with a free list threaded through the
// freed slots. Indices stay valid when the pool grows (pointers do not), so every link in
// the engine is an index. Growth doubles, so allocation is amortized away from the hot path.
#pragma once
#include <cstdint>
#include <vector>

namespace ex {

constexpr uint32_t NIL = 0xFFFFFFFFu;

template <class T>
class Pool {
public:
    explicit Pool(uint32_t reserve) { items_.reserve(reserve); }

    __attribute__((always_inline)) uint32_t acquire() {
        if (free_head_ != NIL) {
            uint32_t index = free_head_;
            free_head_ = items_[index].next;
            return index;
        }
        items_.emplace_back();
        return static_cast<uint32_t>(items_.size() - 1);
    }

    void release(uint32_t index) {
        items_[index].next = free_head_;
        free_head_ = index;
    }

    // Slots ever taken (live or on the free list).
    uint32_t slots() const { return static_cast<uint32_t>(items_.size()); }

    T& operator[](uint32_t index) { return items_[index]; }
    const T& operator[](uint32_t index) const { return items_[index]; }

    template <class A>
    void image(A& a) {
        a.vec(items_);
        a.scalar(free_head_);
    }

    // Restores a pool an older image saved with another element layout, converting each element.
    template <class Old, class A, class Convert>
    void image_from(A& a, Convert convert) {
        std::vector<Old> old;
        a.vec(old);
        items_.clear();
        items_.reserve(old.size());
        for (const Old& o : old) items_.push_back(convert(o));
        a.scalar(free_head_);
    }

private:
    std::vector<T> items_;
    uint32_t free_head_ = NIL;
};

}  // namespace ex
