// A seeded 64-bit non-cryptographic hash of a byte range (threadml's cache keys and checksums).
//
// Each 1 MiB block is hashed with XXH64 (written from its published description) on the job's threads;
// the block digests are then hashed in block order with the same seed. Block boundaries depend on the
// length only, so the digest is the same for any thread count. Inputs up to one block are plain XXH64.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/parallel.h"

namespace threadml {

inline constexpr std::size_t kHashBlockBytes = std::size_t{1} << 20;

uint64_t xxh64(const void* data, std::size_t length, uint64_t seed) noexcept;

uint64_t hash_bytes(const void* data, std::size_t length, uint64_t seed, const ExecContext& ctx);

}  // namespace threadml
