#include "tree/forest.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "core/status.h"

namespace threadml::tree {

namespace {

// Tree t's bootstrap: how often each row was drawn. Regenerated from the seed for out-of-bag
// predictions, so nothing per tree needs to be kept.
std::vector<uint32_t> bootstrap_counts(Rng& rng, std::size_t rows, std::size_t draws) {
  std::vector<uint32_t> counts(rows, 0);
  for (std::size_t i = 0; i < draws; ++i) ++counts[rng.below(rows)];
  return counts;
}

struct TreeSample {
  std::vector<uint32_t> rows;  // ascending, weight > 0
  std::vector<double> weight;  // per row of X
};

TreeSample sample_for_tree(Rng& rng, std::size_t n, const Targets& targets, const ForestParams& params) {
  TreeSample s;
  s.weight.assign(n, 1.0);
  if (targets.weights != nullptr) std::copy(targets.weights, targets.weights + n, s.weight.begin());
  if (params.bootstrap) {
    const std::vector<uint32_t> counts = bootstrap_counts(rng, n, params.max_samples);
    for (std::size_t i = 0; i < n; ++i) s.weight[i] *= counts[i];
    if (params.balanced_subsample) {
      // scikit-learn's compute_sample_weight('balanced', y, indices): draws / (classes x draws of the class).
      std::vector<double> drawn(static_cast<std::size_t>(params.n_classes), 0.0);
      for (std::size_t i = 0; i < n; ++i) drawn[static_cast<std::size_t>(targets.classes[i])] += counts[i];
      for (std::size_t i = 0; i < n; ++i) {
        const double d = drawn[static_cast<std::size_t>(targets.classes[i])];
        if (d > 0.0) s.weight[i] *= static_cast<double>(params.max_samples) / (params.n_classes * d);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (s.weight[i] > 0.0) s.rows.push_back(static_cast<uint32_t>(i));
  return s;
}

template <class Code>
Tree grow_one(const BinnedMatrix& bins, const std::vector<double>& centred, double offset, const Targets& targets,
              const ForestParams& params, std::size_t index, const ExecContext& ctx) {
  Rng rng(derive_seed(params.seed, index));
  TreeSample s = sample_for_tree(rng, bins.rows, targets, params);
  if (s.rows.empty()) throw_range("Expected a positive total sample weight for a tree but every weight is 0");
  const double* w = s.weight.data();
  GrowParams grow = params.grow;
  double total = 0.0;
  for (uint32_t r : s.rows) total += w[r];
  grow.min_weight_leaf = params.min_weight_fraction_leaf * total;
  switch (params.criterion) {
    case Criterion::Gini:
      return grow_tree<ClassTask<ClassCriterion::Gini>, Code>(
          bins, ClassTask<ClassCriterion::Gini>{params.n_classes, targets.classes, w}, std::move(s.rows), grow, rng, ctx);
    case Criterion::Entropy:
      return grow_tree<ClassTask<ClassCriterion::Entropy>, Code>(
          bins, ClassTask<ClassCriterion::Entropy>{params.n_classes, targets.classes, w}, std::move(s.rows), grow, rng, ctx);
    case Criterion::SquaredError:
      return grow_tree<SquaredErrorTask, Code>(bins, SquaredErrorTask{centred.data(), targets.values, w, offset}, std::move(s.rows),
                                               grow, rng, ctx);
    default:
      return grow_tree<AbsoluteErrorTask, Code>(bins, AbsoluteErrorTask{targets.values, w}, std::move(s.rows),
                                                grow, rng, ctx);
  }
}

template <class T>
void out_of_bag(const T* X, std::size_t rows, std::size_t cols, const std::vector<std::shared_ptr<const Tree>>& trees,
                const Targets& targets, const ForestParams& params, ForestFit& fit, const ExecContext& ctx) {
  const std::size_t outputs = static_cast<std::size_t>(trees.front()->n_outputs);
  const std::size_t n_trees = trees.size();
  std::vector<uint8_t> in_bag(n_trees * rows, 0);  // row-major: a row's flags for every tree together
  parallel_for(ctx.for_work(n_trees * rows, 1 << 16), n_trees, [&](std::size_t t) {
    Rng rng(derive_seed(params.seed, t));
    const std::vector<uint32_t> counts = bootstrap_counts(rng, rows, params.max_samples);
    for (std::size_t r = 0; r < rows; ++r) in_bag[r * n_trees + t] = counts[r] > 0 ? 1 : 0;
  });
  fit.oob_sum.assign(rows * outputs, 0.0);
  fit.oob_count.assign(rows, 0.0);
  constexpr std::size_t kBlock = 256;
  parallel_for(ctx.for_work(n_trees * rows, 1 << 14), task_count(rows, kBlock), [&](std::size_t task) {
    for (std::size_t r = task * kBlock; r < std::min(rows, (task + 1) * kBlock); ++r) {
      if (targets.weights != nullptr && targets.weights[r] == 0.0) continue;
      for (std::size_t t = 0; t < n_trees; ++t) {
        if (in_bag[r * n_trees + t]) continue;
        const Tree& tree = *trees[t];
        const double* value = tree.value.data() + static_cast<std::size_t>(leaf_of(tree, X + r * cols)) * outputs;
        for (std::size_t k = 0; k < outputs; ++k) fit.oob_sum[r * outputs + k] += value[k];
        fit.oob_count[r] += 1.0;
      }
    }
  });
}

}  // namespace

template <class T>
ForestFit fit_forest(const T* X, std::size_t rows, std::size_t cols, const Targets& targets, const ForestParams& params,
                     const std::vector<std::shared_ptr<const Tree>>& previous, const ExecContext& ctx) {
  if (rows > UINT32_MAX) throw_range("Expected at most 4294967295 rows for a tree model");
  // Progress: binning 10%, trees 85%, out-of-bag 5%.
  ExecContext binning = ctx;
  binning.progress_scale = ctx.progress_scale * 0.1;
  const BinnedMatrix bins = bin_matrix(X, rows, cols, params.binning, binning);
  ExecContext growing = ctx;
  growing.progress_offset = ctx.progress_offset + ctx.progress_scale * 0.1;
  growing.progress_scale = ctx.progress_scale * (params.oob ? 0.85 : 0.9);

  // Squared error accumulates y - mean(y) so that one-pass variances stay accurate.
  std::vector<double> centred;
  double offset = 0.0;
  if (params.criterion == Criterion::SquaredError) {
    for (std::size_t i = 0; i < rows; ++i) offset += targets.values[i];
    offset /= static_cast<double>(rows);
    centred.resize(rows);
    for (std::size_t i = 0; i < rows; ++i) centred[i] = targets.values[i] - offset;
  }

  ForestFit fit;
  fit.trees.resize(params.n_trees);
  with_code_type(bins.width, [&](auto code) {
    using Code = decltype(code);
    auto grow_index = [&](std::size_t i, const ExecContext& tree_ctx) {
      fit.trees[i] = std::make_shared<const Tree>(
          grow_one<Code>(bins, centred, offset, targets, params, params.first_tree + i, tree_ctx));
    };
    if (params.n_trees >= static_cast<std::size_t>(growing.threads)) {
      // Enough trees for every thread: one tree per task, each on one thread.
      ExecContext one = growing.single_threaded();
      parallel_for(growing, params.n_trees, [&](std::size_t i) { grow_index(i, one); });
    } else {
      for (std::size_t i = 0; i < params.n_trees; ++i)
        grow_index(i, growing.pass(static_cast<int>(i), static_cast<int>(params.n_trees)));
    }
  });

  if (params.oob) {
    std::vector<std::shared_ptr<const Tree>> all(previous);
    all.insert(all.end(), fit.trees.begin(), fit.trees.end());
    ExecContext oob = ctx;
    oob.progress = nullptr;
    out_of_bag(X, rows, cols, all, targets, params, fit, oob);
  }
  return fit;
}

template ForestFit fit_forest<float>(const float*, std::size_t, std::size_t, const Targets&, const ForestParams&,
                                     const std::vector<std::shared_ptr<const Tree>>&, const ExecContext&);
template ForestFit fit_forest<double>(const double*, std::size_t, std::size_t, const Targets&, const ForestParams&,
                                      const std::vector<std::shared_ptr<const Tree>>&, const ExecContext&);

}  // namespace threadml::tree
