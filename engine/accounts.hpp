// Spot balances: per account and asset, `free` and `locked` units, in one flat array indexed by
// account * assets + asset (an account is a row; account ids are small and dense, given out by
// the exchange in order). Every balance a batch changes is remembered once, in the order first
// changed, so the caller can read back exactly what to persist. The venue's total per asset is
// kept too: deposits past EX_MAX_TOTAL are refused, so nothing downstream can overflow.
#pragma once
#include <cstdint>
#include <vector>

namespace ex {

struct Balance {
    int64_t free;
    int64_t locked;
    uint64_t epoch;  // the batch that last changed it
};

// An account's own fee rates in basis points; -1 takes the market's.
struct FeeRates {
    int32_t maker = -1;
    int32_t taker = -1;
};

class Accounts {
public:
    explicit Accounts(uint32_t assets) : assets_(assets), totals_(assets, 0) {
        changed_.reserve(1024);
        ensure(0);
    }

    uint32_t assets() const { return assets_; }
    uint32_t count() const { return count_; }

    // Makes `account` exist. Growing moves the balances: call it before taking references.
    __attribute__((always_inline)) void ensure(uint32_t account) {
        if (account >= count_) grow(account);
    }

private:
    __attribute__((noinline)) void grow(uint32_t account) {
        uint32_t n = count_ ? count_ : 64;
        while (n <= account) n *= 2;
        balances_.resize(static_cast<size_t>(n) * assets_, Balance{0, 0, 0});
        fees_.resize(n);
        count_ = n;
    }

public:

    // The balance, marked as changed in this batch (the account must exist).
    __attribute__((always_inline)) Balance& change(uint32_t account, uint32_t asset) {
        Balance& b = balances_[static_cast<size_t>(account) * assets_ + asset];
        if (b.epoch != epoch_) {
            b.epoch = epoch_;
            changed_.push_back(static_cast<uint64_t>(account) << 32 | asset);
        }
        return b;
    }

    // The balance without marking it; null for an account never seen.
    const Balance* peek(uint32_t account, uint32_t asset) const {
        if (account >= count_ || asset >= assets_) return nullptr;
        return &balances_[static_cast<size_t>(account) * assets_ + asset];
    }

    int64_t free_of(uint32_t account, uint32_t asset) const { return peek(account, asset)->free; }

    FeeRates& fees(uint32_t account) { return fees_[account]; }
    const FeeRates& fees(uint32_t account) const { return fees_[account]; }
    int64_t& total(uint32_t asset) { return totals_[asset]; }

    void begin_batch() {
        ++epoch_;
        changed_.clear();
    }
    const std::vector<uint64_t>& changed() const { return changed_; }

    // What changed in the last batch is not state: a restored engine starts a new batch anyway.
    template <class A>
    void image(A& a) {
        a.scalar(assets_);
        a.scalar(count_);
        a.scalar(epoch_);
        a.vec(balances_);
        a.vec(fees_);
        a.vec(totals_);
        if (A::reading) changed_.clear();
    }
    // Takes more assets (a restored image of a venue that has added some): each account's row
    // grows, the new balances zero.
    void widen(uint32_t assets) {
        if (assets <= assets_) return;
        std::vector<Balance> wider(static_cast<size_t>(count_) * assets, Balance{0, 0, 0});
        for (uint32_t a = 0; a < count_; ++a)
            for (uint32_t x = 0; x < assets_; ++x) wider[static_cast<size_t>(a) * assets + x] = balances_[static_cast<size_t>(a) * assets_ + x];
        balances_.swap(wider);
        totals_.resize(assets, 0);
        assets_ = assets;
    }
    bool consistent() const {
        return balances_.size() == static_cast<size_t>(count_) * assets_ && fees_.size() == count_ && totals_.size() == assets_;
    }

private:
    uint32_t assets_;
    uint32_t count_ = 0;
    uint64_t epoch_ = 1;
    std::vector<Balance> balances_;
    std::vector<FeeRates> fees_;
    std::vector<int64_t> totals_;
    std::vector<uint64_t> changed_;
};

}  // namespace ex
