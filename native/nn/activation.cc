#include "nn/activation.h"

#include <algorithm>
#include <cmath>

namespace threadml::nn {

namespace {

// Elementwise passes over one layer's output use a second thread only from this many elements per
// thread: a batch of 256 x 256 is ~10 µs of work, about what waking the second thread costs.
constexpr std::size_t kMinElementsPerThread = std::size_t{1} << 15;
// Rows per forward task, and columns per backward task: the backward task owns whole columns so the
// bias gradient sums its rows in order, whatever the thread count.
constexpr std::size_t kRowGrain = 64;
constexpr std::size_t kColGrain = 64;

template <Activation A, class T>
inline T apply(T x) {
  if constexpr (A == Activation::Relu) return x > T(0) ? x : T(0);
  else if constexpr (A == Activation::Tanh) return std::tanh(x);
  else if constexpr (A == Activation::Logistic) return T(1) / (T(1) + std::exp(-x));
  else return x;
}

template <Activation A, class T>
inline T derivative(T out) {
  if constexpr (A == Activation::Relu) return out > T(0) ? T(1) : T(0);
  else if constexpr (A == Activation::Tanh) return T(1) - out * out;
  else if constexpr (A == Activation::Logistic) return out * (T(1) - out);
  else return T(1);
}

// Calls f.template operator()<A>() with the activation resolved once, outside every loop.
template <class F>
void dispatch(Activation act, F&& f) {
  switch (act) {
    case Activation::Identity: f.template operator()<Activation::Identity>(); break;
    case Activation::Relu: f.template operator()<Activation::Relu>(); break;
    case Activation::Tanh: f.template operator()<Activation::Tanh>(); break;
    case Activation::Logistic: f.template operator()<Activation::Logistic>(); break;
  }
}

}  // namespace

template <class T>
void bias_activation(T* z, std::size_t rows, std::size_t cols, const T* bias, Activation act, const ExecContext& ctx) {
  dispatch(act, [&]<Activation A>() {
    parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), task_count(rows, kRowGrain), [&](std::size_t task) {
      const std::size_t end = std::min(rows, (task + 1) * kRowGrain);
      for (std::size_t i = task * kRowGrain; i < end; ++i) {
        T* row = z + i * cols;
        for (std::size_t j = 0; j < cols; ++j) row[j] = apply<A>(row[j] + bias[j]);
      }
    });
  });
}

template <class T>
void activation_backward(const T* out, T* delta, std::size_t rows, std::size_t cols, Activation act, T scale,
                         T* bias_grad, const ExecContext& ctx) {
  dispatch(act, [&]<Activation A>() {
    parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), task_count(cols, kColGrain), [&](std::size_t task) {
      const std::size_t j0 = task * kColGrain, j1 = std::min(cols, j0 + kColGrain);
      T sum[kColGrain] = {};
      for (std::size_t i = 0; i < rows; ++i) {
        [[maybe_unused]] const T* o = out + i * cols;
        T* d = delta + i * cols;
        for (std::size_t j = j0; j < j1; ++j) {
          if constexpr (A != Activation::Identity) d[j] *= derivative<A>(o[j]);
          sum[j - j0] += d[j];
        }
      }
      for (std::size_t j = j0; j < j1; ++j) bias_grad[j] = scale * sum[j - j0];
    });
  });
}

#define THREADML_INSTANTIATE(T)                                                                                  \
  template void bias_activation<T>(T*, std::size_t, std::size_t, const T*, Activation, const ExecContext&);      \
  template void activation_backward<T>(const T*, T*, std::size_t, std::size_t, Activation, T, T*, const ExecContext&);
THREADML_INSTANTIATE(float)
THREADML_INSTANTIATE(double)
#undef THREADML_INSTANTIATE

}  // namespace threadml::nn
