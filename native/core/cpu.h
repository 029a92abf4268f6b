// Run-time CPU feature detection: one binary, the best kernels the CPU supports.
#pragma once

namespace threadml {

enum class SimdLevel { Baseline = 0, Avx2 = 1, Avx512 = 2 };

SimdLevel detect_simd_level() noexcept;
const char* simd_level_name(SimdLevel level) noexcept;

}  // namespace threadml
