// Run-time CPU feature detection: one binary, the best kernels the CPU supports.
#pragma once

namespace threadml {

enum class SimdLevel { Baseline = 0, Avx2 = 1, Avx512 = 2 };

// The best level this CPU supports, capped by THREADML_SIMD=baseline|avx2; detected once.
SimdLevel simd_level() noexcept;
const char* simd_level_name(SimdLevel level) noexcept;

// F (a function pointer) compiled for AVX2: F must be always_inline, so that its body is compiled
// into the variant, where generic code on GCC vector types gets 256-bit registers. Call it only when
// simd_level() >= SimdLevel::Avx2; without AVX2 support in the build it is F itself.
namespace detail {
template <auto F, class Signature>
struct Avx2Variant;
template <auto F, class R, class... Args>
struct Avx2Variant<F, R (*)(Args...)> {
#if defined(__x86_64__) && defined(THREADML_HAVE_AVX2)
  [[gnu::target("avx2")]]
#endif
  static R call(Args... args) {
    return F(args...);
  }
};
}  // namespace detail

template <auto F>
inline constexpr decltype(F) avx2_variant = &detail::Avx2Variant<F, decltype(F)>::call;

}  // namespace threadml
