// Decision trees and random forests: binning once, growing trees (in parallel over trees when there
// are enough of them, inside each tree otherwise) and out-of-bag predictions.
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

enum class Criterion { Gini = 0, Entropy = 1, SquaredError = 2, AbsoluteError = 3 };

struct ForestParams {
  Criterion criterion = Criterion::Gini;
  int n_classes = 0;  // classification only
  GrowParams grow;
  BinningParams binning;
  std::size_t n_trees = 1;       // trees to add
  std::size_t first_tree = 0;    // index of the first new tree (warm start): seeds continue
  bool bootstrap = false;
  std::size_t max_samples = 0;   // bootstrap draws per tree; 0 = rows
  bool balanced_subsample = false;
  double min_weight_fraction_leaf = 0.0;  // of each tree's total weight (sets grow.min_weight_leaf)
  bool oob = false;
  uint64_t seed = 0;
};

// Targets: class indices (classification) or values (regression); weights per row or null.
struct Targets {
  const int32_t* classes = nullptr;
  const double* values = nullptr;
  const double* weights = nullptr;
};

struct ForestFit {
  std::vector<std::shared_ptr<const Tree>> trees;  // the new trees only
  // Out-of-bag: per row the sum of leaf values (rows x outputs) over all trees (old and new) that did
  // not see the row, and how many did not.
  std::vector<double> oob_sum;
  std::vector<double> oob_count;
};

// `previous` holds the trees of a warm start (used for out-of-bag predictions only).
template <class T>
ForestFit fit_forest(const T* X, std::size_t rows, std::size_t cols, const Targets& targets, const ForestParams& params,
                     const std::vector<std::shared_ptr<const Tree>>& previous, const ExecContext& ctx);

}  // namespace threadml::tree
