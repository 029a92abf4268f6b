#include "kernels/blas.h"

#include <cblas.h>

#include <algorithm>

namespace threadml {

namespace {

void call_blas(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
               std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

void call_blas(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
               std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

// Panel width along the split dimension: at most 32 panels, each a multiple of 16 rows/columns.
std::size_t panel_size(std::size_t extent) {
  const std::size_t target = (extent + 31) / 32;
  return std::max<std::size_t>(64, (target + 15) / 16 * 16);
}

}  // namespace

template <class T>
void gemm(const GemmShape& s, T alpha, const T* a, const T* b, T beta, T* c, const ExecContext& ctx) {
  const std::size_t lda = s.trans_a ? s.m : s.k;
  const std::size_t ldb = s.trans_b ? s.k : s.n;
  const std::size_t ldc = s.n;
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  if (flops < kGemmSerialFlops) {
    ctx.check_cancelled();
    call_blas(s.trans_a, s.trans_b, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Split the longer side of C; panel boundaries depend on the shape only.
  const bool split_rows = s.m >= s.n;
  const std::size_t extent = split_rows ? s.m : s.n;
  const std::size_t panel = panel_size(extent);
  parallel_for(ctx, task_count(extent, panel), [&](std::size_t task) {
    const std::size_t begin = task * panel;
    const std::size_t width = std::min(panel, extent - begin);
    if (split_rows) {
      const T* a_panel = s.trans_a ? a + begin : a + begin * lda;
      call_blas(s.trans_a, s.trans_b, width, s.n, s.k, alpha, a_panel, lda, b, ldb, beta, c + begin * ldc, ldc);
    } else {
      const T* b_panel = s.trans_b ? b + begin * ldb : b + begin;
      call_blas(s.trans_a, s.trans_b, s.m, width, s.k, alpha, a, lda, b_panel, ldb, beta, c + begin, ldc);
    }
  });
}

template void gemm<double>(const GemmShape&, double, const double*, const double*, double, double*, const ExecContext&);
template void gemm<float>(const GemmShape&, float, const float*, const float*, float, float*, const ExecContext&);

}  // namespace threadml
