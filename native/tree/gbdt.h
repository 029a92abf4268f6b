// Histogram gradient boosting (LightGBM-style): one binning of X, then per round the gradients and
// hessians of the loss at the current scores, one leaf-wise tree per output grown by the shared
// grower (grow.h) on GradientTask statistics, and the scores moved by learning rate x leaf value.
// Categorical features (binning.categorical) split on sets of categories.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/parallel.h"
#include "tree/binning.h"
#include "tree/grow.h"
#include "tree/tree.h"

namespace threadml::tree {

enum class BoostLoss { SquaredError = 0, LogLoss = 1, Softmax = 2, Poisson = 3, AbsoluteError = 4 };

struct BoostParams {
  BoostLoss loss = BoostLoss::SquaredError;
  int n_outputs = 1;  // classes for softmax, else 1
  GrowParams grow;    // max_leaf_nodes, max_depth, min_samples_leaf, min_weight_leaf (min hessian)
  BinningParams binning;
  double learning_rate = 0.1;
  double l2 = 0.0;
  double min_gain = 0.0;
  std::size_t max_iter = 100;
  double subsample = 1.0;  // fraction of rows drawn (without replacement) per round
  double colsample_bytree = 1.0;  // fraction of the features drawn (without replacement) per tree
  // Early stopping on the validation loss (the training loss without a validation set): stop when
  // none of the last n_iter_no_change rounds beats the round before them by more than tol.
  std::size_t n_iter_no_change = 0;  // 0: never stop early
  double tol = 1e-7;
  uint64_t seed = 0;
};

// Rows of a labelled matrix: y holds class indices for the classifiers; weight may be null.
template <class T>
struct BoostData {
  const T* X = nullptr;
  std::size_t rows = 0;
  const double* y = nullptr;
  const double* weight = nullptr;
};

struct BoostFit {
  std::vector<double> baseline;  // initial score per output
  std::vector<std::shared_ptr<const Tree>> trees;  // round-major: n_outputs trees per round
  std::vector<double> train_loss;       // per round, starting with the baseline's (when stopping early)
  std::vector<double> validation_loss;  // same, with a validation set
  std::size_t n_iter = 0;
};

// `validation` may have rows == 0.
template <class T>
BoostFit fit_boosting(const BoostData<T>& train, std::size_t cols, const BoostData<T>& validation,
                      const BoostParams& params, const ExecContext& ctx);

}  // namespace threadml::tree
