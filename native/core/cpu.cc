#include "core/cpu.h"

#include <cstdlib>
#include <cstring>

namespace threadml {

namespace {
SimdLevel detect_simd_level() noexcept {
  SimdLevel level = SimdLevel::Baseline;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#if defined(THREADML_HAVE_AVX2)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = SimdLevel::Avx2;
#endif
#if defined(THREADML_HAVE_AVX512)
  if (level == SimdLevel::Avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    level = SimdLevel::Avx512;
#endif
#endif
  // THREADML_SIMD=baseline|avx2 caps the level (to compare kernels or work around a CPU issue).
  if (const char* cap = std::getenv("THREADML_SIMD")) {
    if (std::strcmp(cap, "baseline") == 0) level = SimdLevel::Baseline;
    else if (std::strcmp(cap, "avx2") == 0 && level > SimdLevel::Avx2) level = SimdLevel::Avx2;
  }
  return level;
}

}  // namespace

SimdLevel simd_level() noexcept {
  static const SimdLevel level = detect_simd_level();
  return level;
}

const char* simd_level_name(SimdLevel level) noexcept {
  switch (level) {
    case SimdLevel::Avx512: return "avx512";
    case SimdLevel::Avx2: return "avx2";
    default: return "baseline";
  }
}

}  // namespace threadml
