#include "kernels/blas.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm_avx512.h"

namespace threadml {

namespace {

CBLAS_TRANSPOSE op(bool trans) { return trans ? CblasTrans : CblasNoTrans; }

void blas_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
               std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, op(ta), op(tb), static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void blas_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
               std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, op(ta), op(tb), static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void blas_gemv(bool trans, std::size_t m, std::size_t n, double alpha, const double* a, std::size_t lda,
               const double* x, double beta, double* y) {
  cblas_dgemv(CblasRowMajor, op(trans), static_cast<int>(m), static_cast<int>(n), alpha, a, static_cast<int>(lda), x,
              1, beta, y, 1);
}

void blas_gemv(bool trans, std::size_t m, std::size_t n, float alpha, const float* a, std::size_t lda, const float* x,
               float beta, float* y) {
  cblas_sgemv(CblasRowMajor, op(trans), static_cast<int>(m), static_cast<int>(n), alpha, a, static_cast<int>(lda), x,
              1, beta, y, 1);
}

// ---- GEMM ----------------------------------------------------------------------------------

// Without AVX-512 (or with THREADML_SIMD=avx2), products run on OpenBLAS in fixed tiles.
// Each OpenBLAS call packs its own slices of A and B, so tiles must be large to amortise that:
// measured on 2 cores, ~1024 x 1024 tiles of C run 7-10% faster than ~512 x 512 ones at n = 1024
// and 4096 (as fast at 2048), and 256-row panels lose 5-10% more. The price: n = 1024 makes only
// 2 tiles and 2048 makes 4, so more threads than that idle there. An even count per side balances
// 2 and 4 threads.
constexpr std::size_t kGemmTile = 1024;

std::size_t tiles_along(std::size_t extent) {
  const std::size_t t = (extent + kGemmTile / 2) / kGemmTile;  // round(extent / kGemmTile)
  return t <= 1 ? 1 : (t + 1) / 2 * 2;
}

// Splits [0, extent) into `parts` spans, each a multiple of 16 (micro-kernel friendly) but the last.
std::size_t span_of(std::size_t extent, std::size_t parts) {
  const std::size_t span = (extent + parts - 1) / parts;
  return parts == 1 ? extent : (span + 15) / 16 * 16;
}

struct GemmPlan {
  std::size_t items_per_task = 1;
  std::size_t row_span, col_span;  // one tile of C
  std::size_t row_tiles, col_tiles;
  std::size_t item_groups;
  std::size_t tasks() const { return item_groups * row_tiles * col_tiles; }
};

template <class T>
GemmPlan plan_gemm(const GemmShape& s, std::size_t count) {
  const double item_flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  std::size_t row_parts = 1, col_parts = 1;
  if (item_flops >= 2.0 * kGemmFlopsPerThread<T>) {
    row_parts = tiles_along(s.m);
    col_parts = tiles_along(s.n);
    // A single product that is worth two threads but smaller than two tiles: halve its longer side.
    if (count == 1 && row_parts * col_parts == 1) (s.m >= s.n ? row_parts : col_parts) = 2;
  }
  GemmPlan p;
  p.row_span = span_of(s.m, std::min(row_parts, s.m));
  p.col_span = span_of(s.n, std::min(col_parts, s.n));
  p.row_tiles = task_count(s.m, p.row_span);
  p.col_tiles = task_count(s.n, p.col_span);
  if (item_flops < kGemmTaskFlops)
    p.items_per_task = static_cast<std::size_t>(kGemmTaskFlops / std::max(item_flops, 1.0));
  p.item_groups = task_count(count, p.items_per_task);
  return p;
}

}  // namespace

template <class T>
void gemm(const GemmShape& s, const GemmBatch& batch, T alpha, const T* a, const T* b, T beta, const T* c0, T* c,
          const ExecContext& ctx) {
  if (s.m == 0 || s.n == 0 || batch.count == 0) return;
  if (s.k == 0) {  // an empty sum: C = beta * C0
    const std::size_t item = s.m * s.n;
    for (std::size_t i = 0; i < batch.count; ++i)
      for (std::size_t j = 0; j < item; ++j)
        c[i * item + j] = beta != T(0) && c0 != nullptr ? beta * c0[i * batch.stride_c0 + j] : T(0);
    return;
  }
  if (avx512_gemm_available()) return gemm_avx512(s, batch, alpha, a, b, beta, c0, c, ctx);
  const std::size_t lda = s.trans_a ? s.m : s.k;
  const std::size_t ldb = s.trans_b ? s.k : s.n;
  const std::size_t ldc = s.n;
  const bool read_c0 = beta != T(0) && c0 != nullptr;
  const GemmPlan p = plan_gemm<T>(s, batch.count);
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k) *
                       static_cast<double>(batch.count);
  // Small products stay on one thread; the tiles are the same either way.
  const ExecContext run_ctx = ctx.for_work(static_cast<std::size_t>(flops), static_cast<std::size_t>(kGemmFlopsPerThread<T>));
  parallel_for(run_ctx, p.tasks(), [&](std::size_t task) {
    const std::size_t tile = task % (p.row_tiles * p.col_tiles);
    const std::size_t group = task / (p.row_tiles * p.col_tiles);
    const std::size_t r0 = tile / p.col_tiles * p.row_span, c0_col = tile % p.col_tiles * p.col_span;
    const std::size_t rows = std::min(p.row_span, s.m - r0), cols = std::min(p.col_span, s.n - c0_col);
    const std::size_t first = group * p.items_per_task;
    const std::size_t last = std::min(batch.count, first + p.items_per_task);
    for (std::size_t item = first; item < last; ++item) {
      const T* a_item = a + item * batch.stride_a;
      const T* b_item = b + item * batch.stride_b;
      T* c_tile = c + item * s.m * s.n + r0 * ldc + c0_col;
      if (read_c0) {
        const T* src = c0 + item * batch.stride_c0 + r0 * ldc + c0_col;
        for (std::size_t i = 0; i < rows; ++i) std::memcpy(c_tile + i * ldc, src + i * ldc, cols * sizeof(T));
      }
      blas_gemm(s.trans_a, s.trans_b, rows, cols, s.k, alpha, s.trans_a ? a_item + r0 : a_item + r0 * lda, lda,
                s.trans_b ? b_item + c0_col * ldb : b_item + c0_col, ldb, read_c0 ? beta : T(0), c_tile, ldc);
    }
  });
}

// ---- GEMV, AXPY, transpose: memory-bound -----------------------------------------------------

namespace {
// Elements of A per GEMV task (2 MB of float64): large enough that scheduling is noise.
constexpr std::size_t kGemvTaskElements = std::size_t{1} << 18;
// A transposed GEMV splits the columns of A into panels this wide, and its rows into blocks whose
// partial results are summed in block order (the same order for any thread count).
constexpr std::size_t kGemvPanelCols = 4096;
// Memory-bound kernels use a second thread only from this many elements per thread, as the
// reductions do. Measured here: no gain at 0.26M float64 elements, 1.0-1.5x from 1M to 16M.
constexpr std::size_t kMinElementsPerThread = std::size_t{1} << 20;
constexpr std::size_t kAxpyChunk = std::size_t{1} << 16;
// Transpose works on square blocks (one task each) of square tiles small enough for L1.
constexpr std::size_t kTransposeBlock = 256;
constexpr std::size_t kTransposeTile = 16;
}  // namespace

template <class T>
void gemv(const GemvShape& s, T alpha, const T* a, const T* x, T beta, const T* y0, T* y, const ExecContext& ctx) {
  const bool read_y0 = beta != T(0) && y0 != nullptr;
  const T y_beta = read_y0 ? beta : T(0);
  const ExecContext run_ctx = ctx.for_work(s.m * s.n, kMinElementsPerThread);
  if (!s.trans) {
    // Each task owns a block of rows of A and so a slice of y: nothing to combine.
    const std::size_t rows_per_task = std::max<std::size_t>(1, kGemvTaskElements / s.n);
    parallel_for(run_ctx, task_count(s.m, rows_per_task), [&](std::size_t task) {
      const std::size_t r0 = task * rows_per_task, rows = std::min(rows_per_task, s.m - r0);
      if (read_y0) std::memcpy(y + r0, y0 + r0, rows * sizeof(T));
      blas_gemv(false, rows, s.n, alpha, a + r0 * s.n, s.n, x, y_beta, y + r0);
    });
    return;
  }
  const std::size_t width = std::min(s.n, kGemvPanelCols);
  const std::size_t panels = task_count(s.n, width);
  const std::size_t rows_per_block = std::max<std::size_t>(1, kGemvTaskElements / width);
  const std::size_t blocks = task_count(s.m, rows_per_block);
  if (blocks == 1) {
    parallel_for(run_ctx, panels, [&](std::size_t panel) {
      const std::size_t c0 = panel * width, cols = std::min(width, s.n - c0);
      if (read_y0) std::memcpy(y + c0, y0 + c0, cols * sizeof(T));
      blas_gemv(true, s.m, cols, alpha, a + c0, s.n, x, y_beta, y + c0);
    });
    return;
  }
  std::vector<T> partial(blocks * s.n);
  parallel_for(run_ctx.pass(0, 2), blocks * panels, [&](std::size_t task) {
    const std::size_t block = task / panels, panel = task % panels;
    const std::size_t r0 = block * rows_per_block, rows = std::min(rows_per_block, s.m - r0);
    const std::size_t c0 = panel * width, cols = std::min(width, s.n - c0);
    blas_gemv(true, rows, cols, T(1), a + r0 * s.n + c0, s.n, x + r0, T(0), partial.data() + block * s.n + c0);
  });
  parallel_for(run_ctx.pass(1, 2), panels, [&](std::size_t panel) {
    // Sums the blocks into y in block order, a row of partials at a time (streaming, not strided).
    const std::size_t c0 = panel * width, c1 = std::min(s.n, c0 + width);
    std::memcpy(y + c0, partial.data() + c0, (c1 - c0) * sizeof(T));
    for (std::size_t block = 1; block < blocks; ++block) {
      const T* row = partial.data() + block * s.n;
      for (std::size_t j = c0; j < c1; ++j) y[j] += row[j];
    }
    for (std::size_t j = c0; j < c1; ++j) y[j] = read_y0 ? alpha * y[j] + beta * y0[j] : alpha * y[j];
  });
}

template <class T>
void axpy(std::size_t n, T alpha, const T* x, const T* y, T* out, const ExecContext& ctx) {
  parallel_for(ctx.for_work(n, kMinElementsPerThread), task_count(n, kAxpyChunk), [&](std::size_t task) {
    const std::size_t end = std::min(n, (task + 1) * kAxpyChunk);
    for (std::size_t i = task * kAxpyChunk; i < end; ++i) out[i] = alpha * x[i] + y[i];
  });
}

template <class T>
void transpose(std::size_t rows, std::size_t cols, const T* in, T* out, const ExecContext& ctx) {
  const std::size_t col_blocks = task_count(cols, kTransposeBlock);
  const std::size_t tasks = task_count(rows, kTransposeBlock) * col_blocks;
  parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), tasks, [&](std::size_t task) {
    const std::size_t i0 = task / col_blocks * kTransposeBlock, j0 = task % col_blocks * kTransposeBlock;
    const std::size_t i1 = std::min(rows, i0 + kTransposeBlock), j1 = std::min(cols, j0 + kTransposeBlock);
    for (std::size_t ti = i0; ti < i1; ti += kTransposeTile)
      for (std::size_t tj = j0; tj < j1; tj += kTransposeTile) {
        const std::size_t ie = std::min(i1, ti + kTransposeTile), je = std::min(j1, tj + kTransposeTile);
        for (std::size_t j = tj; j < je; ++j)
          for (std::size_t i = ti; i < ie; ++i) out[j * rows + i] = in[i * cols + j];
      }
  });
}

#define THREADML_INSTANTIATE(T)                                                                                     \
  template void gemm<T>(const GemmShape&, const GemmBatch&, T, const T*, const T*, T, const T*, T*,                 \
                        const ExecContext&);                                                                        \
  template void gemv<T>(const GemvShape&, T, const T*, const T*, T, const T*, T*, const ExecContext&);               \
  template void axpy<T>(std::size_t, T, const T*, const T*, T*, const ExecContext&);                               \
  template void transpose<T>(std::size_t, std::size_t, const T*, T*, const ExecContext&);
THREADML_INSTANTIATE(double)
THREADML_INSTANTIATE(float)
#undef THREADML_INSTANTIATE

}  // namespace threadml
