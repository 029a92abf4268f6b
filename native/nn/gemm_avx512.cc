#include "nn/gemm_avx512.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "core/cpu.h"
#include "core/status.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__)
#define THREADML_NN_AVX512 1
#include <immintrin.h>
#endif

namespace threadml::nn {

#if THREADML_NN_AVX512

namespace {

constexpr std::size_t kPanel = 32;  // columns of C per panel: two 16-float registers
constexpr std::size_t kRows = 12;   // rows of C per micro-tile: 24 accumulators of the 32 registers
// Depth of one pass over a panel: its packed block of B (kDepth x 32 floats, 32 KB) stays in L1
// while every row tile of A streams past it.
constexpr std::size_t kDepth = 256;
// A panel is ~2 x m x k x 32 flops; panels use a second thread only when each is worth this much.
constexpr std::size_t kMinPanelFlops = std::size_t{1} << 18;

// One R x 32 tile of C over kc steps of k. The first pass starts from zero, later ones add to C;
// the last scales by alpha. Columns beyond the matrix are masked off.
template <int R, bool kTransA>
__attribute__((target("avx512f"))) void micro(const float* a, std::size_t lda, const float* bp, std::size_t kc, float* c,
                                              std::size_t ldc, __mmask16 m0, __mmask16 m1, bool first, bool last,
                                              float alpha) {
  __m512 c0[R], c1[R];
  for (int r = 0; r < R; ++r) {
    c0[r] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m0, c + r * ldc);
    c1[r] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
  }
  for (std::size_t kk = 0; kk < kc; ++kk) {
    const __m512 b0 = _mm512_loadu_ps(bp + kk * kPanel), b1 = _mm512_loadu_ps(bp + kk * kPanel + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(kTransA ? a[kk * lda + r] : a[r * lda + kk]);
      c0[r] = _mm512_fmadd_ps(x, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(x, b1, c1[r]);
    }
  }
  const __m512 scale = _mm512_set1_ps(last ? alpha : 1.0f);
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c + r * ldc, m0, _mm512_mul_ps(c0[r], scale));
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, _mm512_mul_ps(c1[r], scale));
  }
}

using Micro = void (*)(const float*, std::size_t, const float*, std::size_t, float*, std::size_t, __mmask16, __mmask16, bool,
                       bool, float);

template <bool kTransA, std::size_t... R>
constexpr auto micro_table(std::index_sequence<R...>) {
  return std::array<Micro, sizeof...(R)>{&micro<static_cast<int>(R + 1), kTransA>...};
}

__mmask16 mask_of(std::size_t count) { return count >= 16 ? __mmask16(0xffff) : __mmask16((1u << count) - 1); }

}  // namespace

// Follows the addon's SIMD level, so THREADML_SIMD=avx2 also turns this kernel off.
bool avx512_gemm_available() noexcept {
  static const bool available = detect_simd_level() == SimdLevel::Avx512;
  return available;
}

void gemm_avx512(bool trans_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
                 const float* b, float* c, const ExecContext& ctx) {
  static constexpr auto plain = micro_table<false>(std::make_index_sequence<kRows>{});
  static constexpr auto transposed = micro_table<true>(std::make_index_sequence<kRows>{});
  const auto& kernels = trans_a ? transposed : plain;
  const std::size_t panels = (n + kPanel - 1) / kPanel;
  const std::size_t panel_flops = 2 * m * k * kPanel;
  parallel_for(ctx.for_work(panels * panel_flops, std::max(panel_flops, kMinPanelFlops)), panels, [&](std::size_t p) {
    // B's panel packed k-major, zero-padded to 32 columns: contiguous for the kernel. One buffer per
    // thread, kept between calls: no allocation per batch.
    thread_local std::vector<float> packed;
    packed.resize(k * kPanel);
    const std::size_t c0 = p * kPanel, width = std::min(kPanel, n - c0);
    for (std::size_t kk = 0; kk < k; ++kk) {
      float* dst = packed.data() + kk * kPanel;
      std::memcpy(dst, b + kk * n + c0, width * sizeof(float));
      std::fill(dst + width, dst + kPanel, 0.0f);
    }
    const __mmask16 m0 = mask_of(width), m1 = mask_of(width > 16 ? width - 16 : 0);
    for (std::size_t k0 = 0; k0 < k; k0 += kDepth) {
      const std::size_t kc = std::min(kDepth, k - k0);
      const bool first = k0 == 0, last = k0 + kc == k;
      for (std::size_t r0 = 0; r0 < m; r0 += kRows) {
        const std::size_t rows = std::min(kRows, m - r0);
        const float* tile = trans_a ? a + k0 * lda + r0 : a + r0 * lda + k0;
        kernels[rows - 1](tile, lda, packed.data() + k0 * kPanel, kc, c + r0 * n + c0, n, m0, m1, first, last, alpha);
      }
    }
  });
}

#else

bool avx512_gemm_available() noexcept { return false; }

void gemm_avx512(bool, std::size_t, std::size_t, std::size_t, float, const float*, std::size_t, const float*, float*,
                 const ExecContext&) {
  throw_range("The AVX-512 product is not built for this platform");
}

#endif

}  // namespace threadml::nn
