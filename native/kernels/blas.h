// Matrix products through OpenBLAS, parallelised by threadml rather than by OpenBLAS itself:
// OpenBLAS runs single-threaded and each of our tasks computes one fixed panel of C, so the thread
// budget governs BLAS too and several concurrent products never oversubscribe the CPU.
#pragma once
#include <cstddef>

#include "core/parallel.h"

namespace threadml {

// C (m x n) = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k, op(B) is k x n.
// A is stored m x k (k x m when trans_a), B k x n (n x k when trans_b). With beta == 0, C is not read.
struct GemmShape {
  bool trans_a = false;
  bool trans_b = false;
  std::size_t m = 0, n = 0, k = 0;
};

template <class T>
void gemm(const GemmShape& shape, T alpha, const T* a, const T* b, T beta, T* c, const ExecContext& ctx);

// Products below this many flops run as one BLAS call: threads would cost more than they save.
constexpr double kGemmSerialFlops = 4.0e6;

}  // namespace threadml
