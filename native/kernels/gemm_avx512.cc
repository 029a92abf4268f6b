#include "kernels/gemm_avx512.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "core/cpu.h"
#include "core/status.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__)
#define THREADML_GEMM_AVX512 1
#include <immintrin.h>
// The file is built for the baseline ISA; only these functions use AVX-512, and they run only after
// the run-time check.
#define THREADML_AVX512 __attribute__((target("avx512f")))
#define THREADML_AVX512_INLINE inline __attribute__((always_inline, target("avx512f")))
#endif

namespace threadml {

#if THREADML_GEMM_AVX512

namespace {

template <class T>
struct Simd;

template <>
struct Simd<float> {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr std::size_t kLanes = 16;
  THREADML_AVX512_INLINE static V zero() { return _mm512_setzero_ps(); }
  THREADML_AVX512_INLINE static V load(const float* p) { return _mm512_loadu_ps(p); }
  THREADML_AVX512_INLINE static V load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  THREADML_AVX512_INLINE static void store(float* p, Mask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  THREADML_AVX512_INLINE static V set1(float x) { return _mm512_set1_ps(x); }
  THREADML_AVX512_INLINE static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  THREADML_AVX512_INLINE static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
};

template <>
struct Simd<double> {
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr std::size_t kLanes = 8;
  THREADML_AVX512_INLINE static V zero() { return _mm512_setzero_pd(); }
  THREADML_AVX512_INLINE static V load(const double* p) { return _mm512_loadu_pd(p); }
  THREADML_AVX512_INLINE static V load(Mask m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
  THREADML_AVX512_INLINE static void store(double* p, Mask m, V v) { _mm512_mask_storeu_pd(p, m, v); }
  THREADML_AVX512_INLINE static V set1(double x) { return _mm512_set1_pd(x); }
  THREADML_AVX512_INLINE static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  THREADML_AVX512_INLINE static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
};

// Rows of C per micro-tile: 12 x 2 accumulators plus 2 of B and a broadcast of A fit the 32 registers.
constexpr std::size_t kRows = 12;
// Columns of C per panel: two vectors (32 float32, 16 float64).
template <class T>
constexpr std::size_t kPanel = 2 * Simd<T>::kLanes;
// Depth of one pass: a packed panel of B (256 x kPanel, 32 KB) stays in L1 while row tiles stream by.
constexpr std::size_t kDepth = 256;
// Rows of A per cache block: its 256-deep slice (192 KB) stays in L2 while every panel passes over it.
template <class T>
constexpr std::size_t kBlockRows = sizeof(T) == sizeof(float) ? 192 : 96;
// Columns of C per task at most: bounds the packed block of B (256 x 1024 float32, 1 MB per thread).
template <class T>
constexpr std::size_t kMaxTaskCols = sizeof(T) == sizeof(float) ? 1024 : 512;
// Flops per task at most (~10 ms on one core): abort() is polled between tasks.
constexpr double kMaxTaskFlops = 2.0e9;
// An A of at most this many bytes stays in L2 (half of the 1 MB per core of AVX-512 AMD and Intel
// server cores) while a thread runs its tasks.
constexpr std::size_t kL2Budget = std::size_t{512} << 10;

// Where a micro-tile is in the k loop; c0 is the tile of C0 to add on the last pass (null: none).
template <class T>
struct Pass {
  bool first, last;
  T alpha, beta;
  const T* c0;
};

// One R x kPanel tile of C over kc steps of k: the first pass starts from zero, later ones add to C,
// the last scales by alpha and adds beta * C0. Columns beyond the matrix are masked off.
template <class T, int R, bool kTransA>
THREADML_AVX512 void micro(const T* a, std::size_t lda, const T* bp, std::size_t kc, T* c, std::size_t ldc,
                           typename Simd<T>::Mask m0, typename Simd<T>::Mask m1, const Pass<T>& pass) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr std::size_t L = S::kLanes, P = kPanel<T>;
  V acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) {
    acc0[r] = pass.first ? S::zero() : S::load(m0, c + r * ldc);
    acc1[r] = pass.first ? S::zero() : S::load(m1, c + r * ldc + L);
  }
  for (std::size_t kk = 0; kk < kc; ++kk) {
    const V b0 = S::load(bp + kk * P), b1 = S::load(bp + kk * P + L);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const V x = S::set1(kTransA ? a[kk * lda + r] : a[r * lda + kk]);
      acc0[r] = S::fma(x, b0, acc0[r]);
      acc1[r] = S::fma(x, b1, acc1[r]);
    }
  }
  if (!pass.last) {
    for (int r = 0; r < R; ++r) {
      S::store(c + r * ldc, m0, acc0[r]);
      S::store(c + r * ldc + L, m1, acc1[r]);
    }
    return;
  }
  const V alpha = S::set1(pass.alpha), beta = S::set1(pass.beta);
  for (int r = 0; r < R; ++r) {
    V out0 = S::mul(acc0[r], alpha), out1 = S::mul(acc1[r], alpha);
    if (pass.c0 != nullptr) {
      out0 = S::fma(beta, S::load(m0, pass.c0 + r * ldc), out0);
      out1 = S::fma(beta, S::load(m1, pass.c0 + r * ldc + L), out1);
    }
    S::store(c + r * ldc, m0, out0);
    S::store(c + r * ldc + L, m1, out1);
  }
}

template <class T>
using Micro = void (*)(const T*, std::size_t, const T*, std::size_t, T*, std::size_t, typename Simd<T>::Mask,
                       typename Simd<T>::Mask, const Pass<T>&);

template <class T, bool kTransA, std::size_t... R>
constexpr auto micro_table(std::index_sequence<R...>) {
  return std::array<Micro<T>, sizeof...(R)>{&micro<T, static_cast<int>(R + 1), kTransA>...};
}

template <class T>
typename Simd<T>::Mask mask_of(std::size_t count) {
  using Mask = typename Simd<T>::Mask;
  return count >= Simd<T>::kLanes ? Mask(~Mask(0)) : Mask((1u << count) - 1);
}

// GCC 12 reports _mm512_undefined_pd() (inside the shuffle intrinsics) as maybe uninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Transposes an 8 x 8 block held in r[0..8) in place (r[i] becomes column i).
THREADML_AVX512_INLINE void transpose8(__m512d (&r)[8]) {
  __m512d t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4)
    for (int j = 0; j < 2; ++j) {
      u[i + j] = _mm512_shuffle_f64x2(t[i + j], t[i + j + 2], 0x88);
      u[i + j + 2] = _mm512_shuffle_f64x2(t[i + j], t[i + j + 2], 0xdd);
    }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f64x2(u[j], u[j + 4], 0x88);
    r[j + 4] = _mm512_shuffle_f64x2(u[j], u[j + 4], 0xdd);
  }
}

THREADML_AVX512_INLINE void transpose8(__m256 (&r)[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4)
    for (int j = 0; j < 2; ++j) {
      u[i + 2 * j] = _mm256_shuffle_ps(t[i + j], t[i + j + 2], _MM_SHUFFLE(1, 0, 1, 0));
      u[i + 2 * j + 1] = _mm256_shuffle_ps(t[i + j], t[i + j + 2], _MM_SHUFFLE(3, 2, 3, 2));
    }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x20);
    r[j + 4] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x31);
  }
}

// Eight values of T as one vector (float64: 512 bits, float32: 256 bits), for 8 x 8 transposes.
template <class T>
struct Oct;
template <>
struct Oct<double> {
  using V = __m512d;
  THREADML_AVX512_INLINE static V zero() { return _mm512_setzero_pd(); }
  THREADML_AVX512_INLINE static V load(const double* p) { return _mm512_loadu_pd(p); }
  THREADML_AVX512_INLINE static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
};
template <>
struct Oct<float> {
  using V = __m256;
  THREADML_AVX512_INLINE static V zero() { return _mm256_setzero_ps(); }
  THREADML_AVX512_INLINE static V load(const float* p) { return _mm256_loadu_ps(p); }
  THREADML_AVX512_INLINE static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};

// Copies op(B)[k0 .. k0 + kc, j0 .. j0 + width) k-major into dst (kc x kPanel), zero-padded.
template <class T>
THREADML_AVX512 void pack_panel(const T* b, std::size_t ldb, bool trans_b, std::size_t k0, std::size_t kc,
                                std::size_t j0, std::size_t width, T* dst) {
  using S = Simd<T>;
  constexpr std::size_t L = S::kLanes, P = kPanel<T>;
  if (!trans_b) {
    const auto m0 = mask_of<T>(width), m1 = mask_of<T>(width > L ? width - L : 0), all = mask_of<T>(L);
    const T* src = b + k0 * ldb + j0;
    for (std::size_t kk = 0; kk < kc; ++kk, src += ldb) {
      S::store(dst + kk * P, all, S::load(m0, src));
      S::store(dst + kk * P + L, all, S::load(m1, src + L));
    }
    return;
  }
  // B is stored n x k: column j of op(B) is row j0 + j of B. Blocks of 8 rows x 8 steps of k are
  // transposed in registers; rows past `width` read as zero, steps past a multiple of 8 go one by one.
  using O = Oct<T>;
  const std::size_t kc8 = kc / 8 * 8;
  for (std::size_t jb = 0; jb < P; jb += 8) {
    const std::size_t rows = width > jb ? std::min<std::size_t>(8, width - jb) : 0;
    const T* src = b + (j0 + jb) * ldb + k0;
    for (std::size_t kk = 0; kk < kc8; kk += 8) {
      typename O::V r[8];
      for (std::size_t i = 0; i < 8; ++i) r[i] = i < rows ? O::load(src + i * ldb + kk) : O::zero();
      transpose8(r);
      for (std::size_t i = 0; i < 8; ++i) O::store(dst + (kk + i) * P + jb, r[i]);
    }
    for (std::size_t kk = kc8; kk < kc; ++kk)
      for (std::size_t i = 0; i < 8; ++i) dst[kk * P + jb + i] = i < rows ? src[i * ldb + kk] : T(0);
  }
}

#pragma GCC diagnostic pop

// How the output is cut into tasks: items_per_task items x a row_span x col_span block of C.
struct Plan {
  std::size_t row_span, col_span, row_blocks, col_blocks, items_per_task, groups;
  std::size_t tasks() const { return groups * row_blocks * col_blocks; }
};

std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

// About four tasks per thread when there is more than one (measured on 2 cores: 10-40% faster than
// two on the MLP's 256 x 784 x 256 products, as fast on square ones), none over kMaxTaskFlops,
// in a count the threads divide evenly when a few more blocks give one; blocks keep at least one
// full register tile. When A fits in L2, each task reads it from there whatever its columns, so the
// plan cuts columns only (down to one panel) and no two tasks pack the same part of B. At 256 x 256
// x 256 on one thread, 8 column strips cost nothing over one task and 4 x 3 blocks 6-9% more; on 2
// threads the two plans traded places from run to run (strips 16% slower to 10% faster here). The
// plan never changes what an element sums, only which thread computes it.
template <class T>
Plan plan_gemm(const GemmShape& s, std::size_t count, int threads) {
  constexpr std::size_t P = kPanel<T>;
  Plan p;
  const double item_flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  p.items_per_task = item_flops < kGemmTaskFlops ? static_cast<std::size_t>(kGemmTaskFlops / std::max(item_flops, 1.0)) : 1;
  p.items_per_task = std::min(p.items_per_task, count);
  p.groups = task_count(count, p.items_per_task);
  const std::size_t want = std::max<std::size_t>(threads > 1 ? 4 * static_cast<std::size_t>(threads) : 1,
                                                 static_cast<std::size_t>(item_flops * count / kMaxTaskFlops));
  std::size_t rows = 1, cols = task_count(s.n, kMaxTaskCols<T>);
  auto spans = [&] {
    p.row_span = round_up(task_count(s.m, rows), kRows);
    p.col_span = round_up(task_count(s.n, cols), P);
    p.row_blocks = task_count(s.m, p.row_span);
    p.col_blocks = task_count(s.n, p.col_span);
  };
  spans();
  const std::size_t t = static_cast<std::size_t>(std::max(threads, 1));
  const bool a_in_l2 = s.m * s.k * sizeof(T) <= kL2Budget;
  while (p.tasks() < want || (p.tasks() % t != 0 && p.tasks() < 2 * want)) {
    const bool split_rows = p.row_span > kRows, split_cols = p.col_span > P;
    if (!split_rows && !split_cols) break;
    if (split_rows && (!split_cols || (!a_in_l2 && p.row_span >= p.col_span))) ++rows;
    else ++cols;
    spans();
  }
  return p;
}

template <class T>
struct Problem {
  const GemmShape& s;
  const GemmBatch& batch;
  T alpha, beta;
  const T *a, *b, *c0;
  T* c;
};

// One task: rows [r0, r0 + rows) x columns [j0, j0 + cols) of C for one item. Per 256-deep pass,
// the block of B is packed once, then each L2-sized block of rows of A meets every panel.
template <class T>
THREADML_AVX512 void run_block(const Problem<T>& pr, std::size_t item, std::size_t r0, std::size_t rows,
                               std::size_t j0, std::size_t cols) {
  static constexpr auto plain = micro_table<T, false>(std::make_index_sequence<kRows>{});
  static constexpr auto transposed = micro_table<T, true>(std::make_index_sequence<kRows>{});
  constexpr std::size_t P = kPanel<T>;
  const GemmShape& s = pr.s;
  const auto& kernels = s.trans_a ? transposed : plain;
  const std::size_t lda = s.trans_a ? s.m : s.k, ldb = s.trans_b ? s.k : s.n, ldc = s.n;
  const T* a = pr.a + item * pr.batch.stride_a;
  const T* b = pr.b + item * pr.batch.stride_b;
  const T* c0 = pr.c0 == nullptr ? nullptr : pr.c0 + item * pr.batch.stride_c0;
  T* c = pr.c + item * s.m * s.n;
  const std::size_t panels = task_count(cols, P);
  // One buffer per thread, kept between calls: no allocation per task.
  thread_local std::vector<T> packed;
  packed.resize(kDepth * panels * P);
  for (std::size_t k0 = 0; k0 < s.k; k0 += kDepth) {
    const std::size_t kc = std::min(kDepth, s.k - k0);
    const bool first = k0 == 0, last = k0 + kc == s.k;
    for (std::size_t p = 0; p < panels; ++p)
      pack_panel(b, ldb, s.trans_b, k0, kc, j0 + p * P, std::min(P, cols - p * P), packed.data() + p * kc * P);
    for (std::size_t rb = r0; rb < r0 + rows; rb += kBlockRows<T>) {
      const std::size_t rb_end = std::min(r0 + rows, rb + kBlockRows<T>);
      for (std::size_t p = 0; p < panels; ++p) {
        const std::size_t col = j0 + p * P, width = std::min(P, cols - p * P);
        const auto m0 = mask_of<T>(width), m1 = mask_of<T>(width > P / 2 ? width - P / 2 : 0);
        for (std::size_t t0 = rb; t0 < rb_end; t0 += kRows) {
          const std::size_t tile_rows = std::min(kRows, rb_end - t0);
          const T* a_tile = s.trans_a ? a + k0 * lda + t0 : a + t0 * lda + k0;
          const Pass<T> pass{first, last, pr.alpha, pr.beta, last && c0 != nullptr ? c0 + t0 * ldc + col : nullptr};
          kernels[tile_rows - 1](a_tile, lda, packed.data() + p * kc * P, kc, c + t0 * ldc + col, ldc, m0, m1, pass);
        }
      }
    }
  }
}

}  // namespace

// Follows the addon's SIMD level, so THREADML_SIMD=avx2 also turns this kernel off.
bool avx512_gemm_available() noexcept { return simd_level() == SimdLevel::Avx512; }

template <class T>
void gemm_avx512(const GemmShape& s, const GemmBatch& batch, T alpha, const T* a, const T* b, T beta, const T* c0,
                 T* c, const ExecContext& ctx) {
  if (s.m == 0 || s.n == 0 || s.k == 0 || batch.count == 0) throw_range("gemm_avx512 needs a non-empty product");
  const Problem<T> pr{s, batch, alpha, beta, a, b, beta != T(0) ? c0 : nullptr, c};
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k) *
                       static_cast<double>(batch.count);
  // Small products stay on one thread; what each element sums does not depend on it.
  const ExecContext run_ctx =
      ctx.for_work(static_cast<std::size_t>(flops), static_cast<std::size_t>(kGemmFlopsPerThread<T>));
  const Plan p = plan_gemm<T>(s, batch.count, run_ctx.threads);
  parallel_for(run_ctx, p.tasks(), [&](std::size_t task) {
    const std::size_t blocks = p.row_blocks * p.col_blocks, block = task % blocks, group = task / blocks;
    const std::size_t r0 = block / p.col_blocks * p.row_span, j0 = block % p.col_blocks * p.col_span;
    const std::size_t rows = std::min(p.row_span, s.m - r0), cols = std::min(p.col_span, s.n - j0);
    const std::size_t end = std::min(batch.count, (group + 1) * p.items_per_task);
    for (std::size_t item = group * p.items_per_task; item < end; ++item) run_block(pr, item, r0, rows, j0, cols);
  });
}

#else

bool avx512_gemm_available() noexcept { return false; }

template <class T>
void gemm_avx512(const GemmShape&, const GemmBatch&, T, const T*, const T*, T, const T*, T*, const ExecContext&) {
  throw_range("The AVX-512 product is not built for this platform");
}

#endif

template void gemm_avx512<float>(const GemmShape&, const GemmBatch&, float, const float*, const float*, float,
                                 const float*, float*, const ExecContext&);
template void gemm_avx512<double>(const GemmShape&, const GemmBatch&, double, const double*, const double*, double,
                                  const double*, double*, const ExecContext&);

}  // namespace threadml
