#include <cmath>

#include "kernels/blas.h"
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

template <class T>
void Dense<T>::forward(const T* in, std::size_t rows, const T* params, T* out, const ExecContext& ctx) const {
  gemm<T>({false, false, rows, out_, in_}, {}, T(1), in, params, T(0), nullptr, out, ctx);
  bias_activation(out, rows, out_, params + in_ * out_, act_, ctx);
}

template <class T>
void Dense<T>::backward(const T* in, const T* out, T* d_out, std::size_t rows, const T* params, T scale, T* grads,
                        T* d_in, const ExecContext& ctx) const {
  activation_backward(out, d_out, rows, out_, act_, scale, grads + in_ * out_, ctx);
  // Products run on threadml's AVX-512 kernel where the CPU has one (see kernels/gemm_avx512.h).
  // dW = scale * in^T . d_out; d_in = d_out . W^T (skipped for the input layer: nothing needs it).
  gemm<T>({true, false, in_, out_, rows}, {}, scale, in, d_out, T(0), nullptr, grads, ctx);
  if (d_in != nullptr) gemm<T>({false, true, rows, in_, out_}, {}, T(1), d_out, params, T(0), nullptr, d_in, ctx);
}

template class Dense<float>;
template class Dense<double>;

}  // namespace threadml::nn
