// Multi-layer perceptron training as scikit-learn's MLPClassifier / MLPRegressor with the stochastic
// solvers (sklearn/neural_network/_multilayer_perceptron.py, _fit_stochastic): minibatches of shuffled
// rows, loss + alpha / 2 ||W||^2 / batch rows, Adam or SGD with momentum, the same stopping rules.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "nn/network.h"

namespace threadml::nn {

struct MlpParams {
  std::vector<std::size_t> widths;  // input, hidden layers..., outputs
  Activation activation = Activation::Relu;
  Loss loss = Loss::Softmax;
  OptimizerParams optimizer;
  double alpha = 1e-4;
  std::size_t batch_size = 200;
  int max_iter = 200;
  bool shuffle = true;
  uint64_t seed = 0;
  double tol = 1e-4;
  int n_iter_no_change = 10;
  bool early_stopping = false;
  double validation_fraction = 0.1;
  bool incremental = false;  // partialFit: one epoch, never early stopping
  bool classifier = true;    // the validation score: accuracy, else R^2
};

// What persists between fit calls (warm start, partialFit): given on entry, updated on return.
template <class T>
struct MlpState {
  std::vector<T> params;  // empty: Glorot initialisation
  OptimizerState<T> optimizer;  // empty buffers: a fresh optimizer
  int n_iter = 0;
  double samples_seen = 0.0;
  double best_loss = std::numeric_limits<double>::infinity();
  double best_validation_score = -std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  // This call's epochs only.
  std::vector<double> loss_curve, validation_scores;
  bool stopped = false;  // the stopping rule ended training before maxIter
};

// Trains on the n rows of x (n x widths[0], row-major) and their targets. Cancellation is polled
// between batches; progress is reported once per epoch.
template <class TX, class T>
void mlp_fit(const TX* x, std::size_t n, const Targets& targets, const MlpParams& params, MlpState<T>& state,
             const ExecContext& ctx);

// out (n x outputs) = the output activations for the n rows of x, whose values must be finite.
// Only params.widths, activation and loss are read.
template <class TX, class T>
void mlp_predict(const TX* x, std::size_t n, const MlpParams& params, const T* weights, T* out, const ExecContext& ctx);

// Accuracy (classifiers: the right class, or every label right for multilabel) or R^2 averaged
// over the outputs, of outputs `out` (rows x cols, output activations) for rows index[0..rows).
template <class T>
double validation_score(const T* out, std::size_t rows, std::size_t cols, const Targets& targets, const uint32_t* index,
                        Loss loss, bool classifier);

}  // namespace threadml::nn
