// Seeded random numbers: xoshiro256** (Blackman & Vigna) seeded through splitmix64. Independent
// streams (one per tree, per fold, ...) come from derive_seed(seed, stream), so a result depends on
// the seed and the stream index only, never on which thread ran it.
#pragma once
#include <cstdint>

namespace threadml {

inline uint64_t splitmix64(uint64_t& state) noexcept {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The seed of stream `stream` of a generator seeded with `seed`.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) noexcept {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
  return splitmix64(state);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept {
    for (uint64_t& word : s_) word = splitmix64(seed);
  }

  uint64_t next() noexcept {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n >= 1, without modulo bias (Lemire's multiply-and-reject).
  uint64_t below(uint64_t n) noexcept {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace threadml
