#include <cmath>
#include <type_traits>

#include "kernels/blas.h"
#include "nn/gemm_avx512.h"
#include "nn/layer.h"

namespace threadml::nn {

template <class T>
void Dense<T>::init(T* params, Rng& rng) const {
  // scikit-learn's _init_coef: weights, then biases, uniform in +-bound (from its own generator).
  const double bound = std::sqrt(init_factor_ / static_cast<double>(in_ + out_));
  for (std::size_t i = 0; i < param_count(); ++i) {
    const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
    params[i] = static_cast<T>((2.0 * u - 1.0) * bound);
  }
}

namespace {
// C = alpha * op(A) . B for a layer: the AVX-512 kernel for float32 where the CPU has it, otherwise
// the tiled OpenBLAS product.
template <class T>
void product(bool trans_a, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, const T* b, T* c,
             const ExecContext& ctx) {
  if constexpr (std::is_same_v<T, float>)
    if (avx512_gemm_available()) return gemm_avx512(trans_a, m, n, k, alpha, a, trans_a ? m : k, b, c, ctx);
  gemm<T>({trans_a, false, m, n, k}, {}, alpha, a, b, T(0), nullptr, c, ctx);
}
}  // namespace

template <class T>
void Dense<T>::forward(const T* in, std::size_t rows, const T* params, T* out, const ExecContext& ctx) const {
  product<T>(false, rows, out_, in_, T(1), in, params, out, ctx);
  bias_activation(out, rows, out_, params + in_ * out_, act_, ctx);
}

template <class T>
void Dense<T>::backward(const T* in, const T* out, T* d_out, std::size_t rows, const T* params, T scale, T* grads,
                        T* d_in, const ExecContext& ctx) const {
  activation_backward(out, d_out, rows, out_, act_, scale, grads + in_ * out_, ctx);
  // dW = scale * in^T . d_out; d_in = d_out . W^T (skipped for the input layer: nothing needs it).
  product<T>(true, in_, out_, rows, scale, in, d_out, grads, ctx);
  if (d_in != nullptr) gemm<T>({false, true, rows, in_, out_}, {}, T(1), d_out, params, T(0), nullptr, d_in, ctx);
}

template class Dense<float>;
template class Dense<double>;

}  // namespace threadml::nn
