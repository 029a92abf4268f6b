#include "tree/tree.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/status.h"

namespace threadml::tree {

namespace {

// Rows per prediction task: a block's rows stay in cache while every tree walks them.
constexpr std::size_t kPredictBlock = 256;

[[noreturn]] void invalid(std::size_t tree, const std::string& what) {
  throw_range("Expected a valid tree model but tree " + std::to_string(tree) + " " + what);
}

}  // namespace

int32_t Tree::add_node(const double* values, double node_impurity, double n_samples, double weighted_n_samples) {
  const auto id = static_cast<int32_t>(feature.size());
  feature.push_back(kLeaf);
  threshold.push_back(0.0);
  left.push_back(kLeaf);
  right.push_back(kLeaf);
  missing_left.push_back(0);
  category_set.push_back(kNoCategories);
  value.insert(value.end(), values, values + n_outputs);
  impurity.push_back(node_impurity);
  n_node_samples.push_back(n_samples);
  weighted_n_node_samples.push_back(weighted_n_samples);
  return id;
}

void Tree::split_node(int32_t node, int32_t f, double t, bool nan_left, int32_t l, int32_t r) {
  const auto i = static_cast<std::size_t>(node);
  feature[i] = f;
  threshold[i] = t;
  missing_left[i] = nan_left ? 1 : 0;
  left[i] = l;
  right[i] = r;
}

void Tree::split_categories(int32_t node, int32_t f, const uint32_t* left_codes, bool nan_left, int32_t l, int32_t r) {
  split_node(node, f, 0.0, nan_left, l, r);
  category_set[static_cast<std::size_t>(node)] = static_cast<int32_t>(category_bits.size() / kCategoryWords);
  category_bits.insert(category_bits.end(), left_codes, left_codes + kCategoryWords);
}

int Tree::depth() const {
  // Node ids need not be ordered (imported models), so walk from the root with an explicit stack.
  int deepest = 0;
  std::vector<std::pair<int32_t, int>> stack{{0, 0}};
  while (!stack.empty()) {
    const auto [node, d] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, d);
    if (feature[static_cast<std::size_t>(node)] != kLeaf) {
      stack.push_back({left[static_cast<std::size_t>(node)], d + 1});
      stack.push_back({right[static_cast<std::size_t>(node)], d + 1});
    }
  }
  return deepest;
}

std::size_t Tree::leaf_count() const { return static_cast<std::size_t>(std::count(feature.begin(), feature.end(), kLeaf)); }

void validate(const Forest& forest) {
  if (forest.n_features == 0 || forest.n_outputs < 1) throw_range("Expected a valid tree model but it has no features or outputs");
  if (forest.trees.empty()) throw_range("Expected a valid tree model but it has no trees");
  for (std::size_t t = 0; t < forest.trees.size(); ++t) {
    const Tree& tree = *forest.trees[t];
    const std::size_t n = tree.node_count();
    if (n == 0) invalid(t, "has no nodes");
    if (n > static_cast<std::size_t>(INT32_MAX)) invalid(t, "has too many nodes");
    if (tree.n_outputs < 1 || tree.output_offset < 0 || tree.output_offset + tree.n_outputs > forest.n_outputs)
      invalid(t, "writes outside the model's " + std::to_string(forest.n_outputs) + " outputs");
    if (tree.threshold.size() != n || tree.left.size() != n || tree.right.size() != n ||
        tree.missing_left.size() != n || tree.category_set.size() != n || tree.value.size() != n * static_cast<std::size_t>(tree.n_outputs) ||
        tree.impurity.size() != n || tree.n_node_samples.size() != n || tree.weighted_n_node_samples.size() != n)
      invalid(t, "has arrays of different lengths");
    if (tree.category_bits.size() % kCategoryWords != 0)
      invalid(t, "has " + std::to_string(tree.category_bits.size()) + " category words (a multiple of " +
                     std::to_string(kCategoryWords) + " expected)");
    const std::size_t sets = tree.category_bits.size() / kCategoryWords;
    std::vector<uint8_t> has_parent(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const int32_t f = tree.feature[i];
      const int32_t set = tree.category_set[i];
      if (set != kNoCategories && (f == kLeaf || set < 0 || static_cast<std::size_t>(set) >= sets))
        invalid(t, "node " + std::to_string(i) + " has category set " + std::to_string(set) + " (the tree has " +
                       std::to_string(sets) + (f == kLeaf ? ", and the node is a leaf)" : ")"));
      if (f == kLeaf) continue;
      if (f < 0 || static_cast<std::size_t>(f) >= forest.n_features)
        invalid(t, "node " + std::to_string(i) + " has feature " + std::to_string(f) + " (the model has " +
                       std::to_string(forest.n_features) + ")");
      if (std::isnan(tree.threshold[i])) invalid(t, "node " + std::to_string(i) + " has a NaN threshold");
      for (const int32_t child : {tree.left[i], tree.right[i]}) {
        if (child <= 0 || static_cast<std::size_t>(child) >= n)
          invalid(t, "node " + std::to_string(i) + " has child " + std::to_string(child) + " outside 1.." +
                         std::to_string(n - 1));
        if (has_parent[static_cast<std::size_t>(child)])
          invalid(t, "node " + std::to_string(child) + " has two parents (or the tree has a cycle)");
        has_parent[static_cast<std::size_t>(child)] = 1;
      }
    }
    // With one parent per node and none for the root, a walk from the root visits each node at most
    // once (entering a cycle would need a second parent), so it ends; it must reach every node.
    std::size_t reached = 0;
    std::vector<int32_t> stack{0};
    while (!stack.empty()) {
      const auto node = static_cast<std::size_t>(stack.back());
      stack.pop_back();
      ++reached;
      if (tree.feature[node] != kLeaf) {
        stack.push_back(tree.left[node]);
        stack.push_back(tree.right[node]);
      }
    }
    if (reached != n) invalid(t, "has nodes that the root does not reach (or a cycle)");
    for (const double v : tree.value)
      if (!std::isfinite(v)) invalid(t, "has a non-finite node value");
  }
}

template <class T>
void predict(const Forest& forest, const T* X, std::size_t rows, double scale, double* out, const ExecContext& ctx) {
  const std::size_t cols = forest.n_features;
  const std::size_t outputs = static_cast<std::size_t>(forest.n_outputs);
  const ExecContext work = ctx.for_work(rows * forest.trees.size(), 1 << 14);
  parallel_for(work, task_count(rows, kPredictBlock), [&](std::size_t task) {
    const std::size_t r0 = task * kPredictBlock;
    const std::size_t r1 = std::min(rows, r0 + kPredictBlock);
    std::fill(out + r0 * outputs, out + r1 * outputs, 0.0);
    for (const auto& tree_ptr : forest.trees) {
      const Tree& tree = *tree_ptr;
      const auto width = static_cast<std::size_t>(tree.n_outputs);
      for (std::size_t r = r0; r < r1; ++r) {
        const double* value = tree.value.data() + static_cast<std::size_t>(leaf_of(tree, X + r * cols)) * width;
        double* target = out + r * outputs + static_cast<std::size_t>(tree.output_offset);
        for (std::size_t k = 0; k < width; ++k) target[k] += value[k];
      }
    }
    for (std::size_t i = r0 * outputs; i < r1 * outputs; ++i) out[i] *= scale;
  });
}

template <class T>
void apply(const Forest& forest, const T* X, std::size_t rows, int32_t* out, const ExecContext& ctx) {
  const std::size_t cols = forest.n_features;
  const std::size_t n_trees = forest.trees.size();
  const ExecContext work = ctx.for_work(rows * n_trees, 1 << 14);
  parallel_for(work, task_count(rows, kPredictBlock), [&](std::size_t task) {
    const std::size_t r1 = std::min(rows, (task + 1) * kPredictBlock);
    for (std::size_t t = 0; t < n_trees; ++t)
      for (std::size_t r = task * kPredictBlock; r < r1; ++r) out[r * n_trees + t] = leaf_of(*forest.trees[t], X + r * cols);
  });
}

std::vector<double> feature_importances(const Forest& forest) {
  std::vector<double> total(forest.n_features, 0.0);
  std::vector<double> own(forest.n_features);
  std::size_t counted = 0;
  for (const auto& tree_ptr : forest.trees) {
    const Tree& tree = *tree_ptr;
    if (tree.node_count() <= 1) continue;
    std::fill(own.begin(), own.end(), 0.0);
    const auto& w = tree.weighted_n_node_samples;
    const auto& imp = tree.impurity;
    for (std::size_t i = 0; i < tree.node_count(); ++i) {
      if (tree.feature[i] == kLeaf) continue;
      const auto l = static_cast<std::size_t>(tree.left[i]);
      const auto r = static_cast<std::size_t>(tree.right[i]);
      own[static_cast<std::size_t>(tree.feature[i])] += w[i] * imp[i] - w[l] * imp[l] - w[r] * imp[r];
    }
    double sum = 0.0;
    for (double v : own) sum += v;
    if (sum > 0.0)
      for (std::size_t f = 0; f < own.size(); ++f) total[f] += own[f] / sum;
    ++counted;
  }
  double sum = 0.0;
  for (double v : total) sum += v;
  if (counted > 0 && sum > 0.0)
    for (double& v : total) v /= sum;
  return total;
}

std::vector<double> split_counts(const Forest& forest) {
  std::vector<double> counts(forest.n_features, 0.0);
  for (const auto& tree : forest.trees)
    for (int32_t f : tree->feature)
      if (f != kLeaf) counts[static_cast<std::size_t>(f)] += 1.0;
  return counts;
}

template void predict<float>(const Forest&, const float*, std::size_t, double, double*, const ExecContext&);
template void predict<double>(const Forest&, const double*, std::size_t, double, double*, const ExecContext&);
template void apply<float>(const Forest&, const float*, std::size_t, int32_t*, const ExecContext&);
template void apply<double>(const Forest&, const double*, std::size_t, int32_t*, const ExecContext&);

}  // namespace threadml::tree
