#include "nn/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace threadml::nn {

namespace {

// log(1 + exp(x)) without overflow.
inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

template <class T>
inline T sigmoid(T x) {
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}

// Softmax of one row in place, shifted by its maximum so exp never overflows; returns log(sum exp(z - max)).
template <class T>
double softmax_row(T* z, std::size_t cols) {
  const T top = *std::max_element(z, z + cols);
  double sum = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    const double e = std::exp(static_cast<double>(z[j] - top));
    z[j] = static_cast<T>(e);
    sum += e;
  }
  const double inv = 1.0 / sum;
  for (std::size_t j = 0; j < cols; ++j) z[j] = static_cast<T>(static_cast<double>(z[j]) * inv);
  return std::log(sum);
}

}  // namespace

template <class T>
double loss_gradient(Loss loss, const T* z, std::size_t rows, std::size_t cols, const Targets& targets,
                     const uint32_t* index, T* delta) {
  // scikit-learn clips probabilities to [eps, 1 - eps] of the training dtype before the log.
  const double eps = std::numeric_limits<T>::epsilon();
  const double log_lo = std::log(eps), log_hi = std::log1p(-eps);
  double total = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    const T* zi = z + i * cols;
    T* di = delta + i * cols;
    const std::size_t r = index[i];
    if (loss == Loss::Softmax) {
      std::copy(zi, zi + cols, di);
      const double log_sum = softmax_row(di, cols);
      const int32_t label = targets.labels[r];
      const double log_p = static_cast<double>(zi[label] - *std::max_element(zi, zi + cols)) - log_sum;
      total -= std::clamp(log_p, log_lo, log_hi);
      di[label] -= T(1);
    } else {
      const double* y = targets.values + r * cols;
      double row = 0.0;
      for (std::size_t j = 0; j < cols; ++j) {
        const double zj = zi[j];
        if (loss == Loss::Logistic) {
          const double log_p = std::clamp(-softplus(-zj), log_lo, log_hi);
          const double log_q = std::clamp(-softplus(zj), log_lo, log_hi);
          row -= y[j] * log_p + (1.0 - y[j]) * log_q;
          di[j] = static_cast<T>(sigmoid(zj) - y[j]);
        } else {
          row += 0.5 * (zj - y[j]) * (zj - y[j]);
          di[j] = static_cast<T>(zj - y[j]);
        }
      }
      total += loss == Loss::Squared ? row / static_cast<double>(cols) : row;
    }
  }
  return total;
}

template <class T>
void output_activation(Loss loss, T* z, std::size_t rows, std::size_t cols) {
  if (loss == Loss::Squared) return;
  for (std::size_t i = 0; i < rows; ++i) {
    T* zi = z + i * cols;
    if (loss == Loss::Softmax) softmax_row(zi, cols);
    else
      for (std::size_t j = 0; j < cols; ++j) zi[j] = sigmoid(zi[j]);
  }
}

#define THREADML_INSTANTIATE(T)                                                                                    \
  template double loss_gradient<T>(Loss, const T*, std::size_t, std::size_t, const Targets&, const uint32_t*, T*); \
  template void output_activation<T>(Loss, T*, std::size_t, std::size_t);
THREADML_INSTANTIATE(float)
THREADML_INSTANTIATE(double)
#undef THREADML_INSTANTIATE

}  // namespace threadml::nn
