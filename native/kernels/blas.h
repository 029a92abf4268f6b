// Dense linear algebra, parallelised by threadml rather than by a BLAS: GEMM runs threadml's own
// AVX-512 kernel where the CPU has AVX-512 (kernels/gemm_avx512.h: OpenBLAS 0.3.21 runs its AVX2
// kernels there; measured 1.2-1.5x OpenBLAS for n >= 1024), else OpenBLAS; GEMV runs OpenBLAS.
// OpenBLAS runs single-threaded and each of our tasks computes one block of the output, so the thread
// budget governs BLAS too and several concurrent products never oversubscribe the CPU. Results are
// identical for any thread count: OpenBLAS tiles depend on the shapes only, and the AVX-512 kernel
// sums every element in one order whatever its blocks.
#pragma once
#include <cstddef>

#include "core/parallel.h"

namespace threadml {

// C (m x n) = alpha * op(A) * op(B) + beta * C0, all row-major; op(A) is m x k, op(B) is k x n.
// A is stored m x k (k x m when trans_a), B k x n (n x k when trans_b).
struct GemmShape {
  bool trans_a = false;
  bool trans_b = false;
  std::size_t m = 0, n = 0, k = 0;
};

// `count` products of one shape over operands stored one after another. A stride of 0 broadcasts
// that operand to every item; the output C is always contiguous (item stride m * n).
struct GemmBatch {
  std::size_t count = 1;
  std::size_t stride_a = 0, stride_b = 0, stride_c0 = 0;
};

// c0 may be null, and is never read when beta == 0 (BLAS semantics: NaN in C0 does not leak in).
template <class T>
void gemm(const GemmShape& shape, const GemmBatch& batch, T alpha, const T* a, const T* b, T beta, const T* c0, T* c,
          const ExecContext& ctx);

// y (op(A) rows) = alpha * op(A) * x + beta * y0; A stored m x n row-major, op(A) = A^T when trans.
// y0 may be null and is never read when beta == 0.
struct GemvShape {
  bool trans = false;
  std::size_t m = 0, n = 0;
};

template <class T>
void gemv(const GemvShape& shape, T alpha, const T* a, const T* x, T beta, const T* y0, T* y, const ExecContext& ctx);

// out = alpha * x + y, elementwise (one rounding per operation, as the same JS expression).
template <class T>
void axpy(std::size_t n, T alpha, const T* x, const T* y, T* out, const ExecContext& ctx);

// out (cols x rows) = in (rows x cols) transposed, both row-major.
template <class T>
void transpose(std::size_t rows, std::size_t cols, const T* in, T* out, const ExecContext& ctx);

// A thread joins a product only for at least this many of its flops. Measured with interleaved async
// calls from JS (2-core AMD EPYC, OpenBLAS 0.3.21 Haswell kernels): with a warm thread team a second
// thread gains 1.3x from n = 96 (float64) and n = 128 (float32) square products and about nothing
// below; float32 runs twice the flops per second, so it needs twice the flops to pay.
template <class T>
constexpr double kGemmFlopsPerThread = sizeof(T) == sizeof(float) ? 1.6e6 : 8.0e5;

// Items of a batch are grouped into tasks of at least this many flops, so tiny products do not
// pay a scheduling step each.
constexpr double kGemmTaskFlops = 2.0e5;

}  // namespace threadml
