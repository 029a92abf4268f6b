// The data term of logistic regression and its gradient: sum_i sw_i * logloss_i(w), evaluated in
// parallel over fixed blocks of rows (two BLAS products per block while it is in cache).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/parallel.h"

namespace threadml::linear {

// Rows of X with their labels and weights. `outputs` is 1 for the binary model (sigmoid of one score,
// labels 0 or 1) and K >= 2 for the multinomial model (softmax of K scores, labels in [0, K)).
// Parameters w: `outputs` rows of d coefficients (row-major), then `outputs` intercepts when
// fit_intercept.
template <class T>
struct LogisticData {
  const T* x = nullptr;  // n x d, row-major
  std::size_t n = 0, d = 0;
  const int32_t* y = nullptr;
  const double* sample_weight = nullptr;  // nullptr: every weight is 1
  int outputs = 1;
  bool fit_intercept = true;

  std::size_t coef_size() const { return static_cast<std::size_t>(outputs) * d; }
  std::size_t param_size() const { return coef_size() + (fit_intercept ? outputs : 0); }
  double weight(std::size_t i) const { return sample_weight == nullptr ? 1.0 : sample_weight[i]; }
};

// Returns sum_i sw_i * logloss_i at w and writes its gradient to grad (param_size values). Row blocks
// depend on the data's shape only and their partial sums are added in block order, so the result is
// identical for any thread count. Float32 data meets float32 BLAS; losses and sums are float64.
template <class T>
double logistic_loss_gradient(const LogisticData<T>& data, const double* w, double* grad, const ExecContext& ctx);

// Rows per block of X: about 1 MB, so a second pass over the block (the gradient product, or
// the output transform) reads it from cache rather than memory (on Fashion-MNIST, 256 KB to 4 MB
// blocks fit within 15% of each other; 1 MB was fastest).
std::size_t block_rows(std::size_t d, std::size_t element_size);

// scores (m x outputs) = X_block (m x d) coef^T (coef: outputs x d), one BLAS call on this thread.
template <class T>
void block_scores(const T* x, std::size_t m, std::size_t d, const T* coef, int outputs, T* scores);

// The log-loss of one row and its derivative with respect to the row's scores, in float64: the
// binary model has one score z; the multinomial model writes its `outputs` derivatives to dz.
double binary_row_loss(double z, int32_t label, double& dz);
double softmax_row_loss(const double* z, int outputs, int32_t label, double* dz);

}  // namespace threadml::linear
