// threadml's own GEMM for CPUs with AVX-512: a 12-row register tile over two 512-bit vectors of
// columns (12 x 32 float32, 12 x 16 float64), with cache blocking. OpenBLAS 0.3.21 runs its AVX2
// (Haswell) kernels here (OPENBLAS_CORETYPE), which use half the FMA width such a core has.
#pragma once

#include "kernels/blas.h"

namespace threadml {

// Whether gemm<T>() runs this kernel: x86-64 with AVX-512F, GCC or Clang on ELF, and the addon's
// SIMD level is AVX-512 (so THREADML_SIMD=avx2 turns it off).
bool avx512_gemm_available() noexcept;

// The same contract as gemm<T>() in blas.h. Each element of C sums over k in order (a fused
// multiply-add per step), whatever the blocking, so results are identical for any thread count.
template <class T>
void gemm_avx512(const GemmShape& shape, const GemmBatch& batch, T alpha, const T* a, const T* b, T beta, const T* c0,
                 T* c, const ExecContext& ctx);

}  // namespace threadml
