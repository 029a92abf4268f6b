// A float32 matrix product with an AVX-512 micro-kernel, for the products of dense layers. OpenBLAS
// runs its AVX2 (Haswell) kernels here (OPENBLAS_CORETYPE), which reach about half of what a core
// with 512-bit FMA units can do; this kernel reaches ~240 GFLOP/s per core at 256 x 784 x 256.
#pragma once
#include <cstddef>

#include "core/parallel.h"

namespace threadml::nn {

// Whether this CPU runs the kernel (x86-64 with AVX-512F, GCC or Clang on ELF); else use OpenBLAS.
bool avx512_gemm_available() noexcept;

// C (m x n, row-major, ldc = n) = alpha * op(A) . B, with op(A) = A (stored m x k, row stride lda)
// or A^T (A stored k x m, row stride lda), and B stored k x n row-major. Tasks are 32-column panels
// of C; each element sums over k in the same order for any thread count.
void gemm_avx512(bool trans_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
                 const float* b, float* c, const ExecContext& ctx);

}  // namespace threadml::nn
