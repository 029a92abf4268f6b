#include "kernels/hash.h"

#include <cstring>
#include <vector>

namespace threadml {

namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// memcpy: typed-array bytes carry no alignment promise; compilers turn it into one load.
inline uint64_t read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint32_t read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t round(uint64_t acc, uint64_t input) { return rotl(acc + input * kP2, 31) * kP1; }

inline uint64_t merge_round(uint64_t acc, uint64_t value) { return (acc ^ round(0, value)) * kP1 + kP4; }

}  // namespace

uint64_t xxh64(const void* data, std::size_t length, uint64_t seed) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  const unsigned char* end = p + length;
  uint64_t h;
  if (length >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (const unsigned char* limit = end - 32; p <= limit; p += 32) {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge_round(merge_round(merge_round(merge_round(h, v1), v2), v3), v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<uint64_t>(length);
  for (; p + 8 <= end; p += 8) h = rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
  if (p + 4 <= end) {
    h = rotl(h ^ (static_cast<uint64_t>(read32(p)) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = rotl(h ^ (*p * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

uint64_t hash_bytes(const void* data, std::size_t length, uint64_t seed, const ExecContext& ctx) {
  if (length <= kHashBlockBytes) return xxh64(data, length, seed);
  const auto* bytes = static_cast<const unsigned char*>(data);
  const std::size_t blocks = task_count(length, kHashBlockBytes);
  // One extra slot holds the total length, so inputs that differ only by trailing blocks differ.
  std::vector<uint64_t> digests(blocks + 1);
  parallel_for(ctx.for_work(blocks, 4), blocks, [&](std::size_t b) {
    const std::size_t begin = b * kHashBlockBytes;
    digests[b] = xxh64(bytes + begin, std::min(kHashBlockBytes, length - begin), seed);
  });
  digests[blocks] = static_cast<uint64_t>(length);
  return xxh64(digests.data(), digests.size() * sizeof(uint64_t), seed);
}

}  // namespace threadml
