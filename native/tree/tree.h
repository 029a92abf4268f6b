// Flat tree storage, validation of untrusted models, and parallel batch prediction.
//
// A tree is a set of parallel arrays indexed by node id (root 0). An internal node sends a row to
// `left` when x[feature] <= threshold, to `right` otherwise, and a NaN to the side `missing_left`
// names. Every node has `n_outputs` values; a forest adds tree t's leaf values to the prediction
// columns output_offset .. output_offset + n_outputs - 1 (a random forest: all outputs, offset 0;
// a gradient-boosted multiclass model: one column per tree).
//
// A categorical split (gradient boosting) tests a set of category codes instead of a threshold: node
// `category_set[node]` >= 0 names the set, kCategoryWords bits in `category_bits`; a row whose value is
// a code in the set goes left, any other value (an unseen category, a non-integer) right, as LightGBM.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/parallel.h"

namespace threadml::tree {

constexpr int32_t kLeaf = -1;
// Category codes are below max_bins <= 255, so 256 bits hold any set.
constexpr std::size_t kCategoryWords = 8;
constexpr int32_t kNoCategories = -1;

// Whether x is a category code in a set of kCategoryWords words.
inline bool in_category_set(const uint32_t* bits, double x) noexcept {
  if (!(x >= 0.0 && x < 32.0 * kCategoryWords) || x != std::floor(x)) return false;
  const auto code = static_cast<uint32_t>(x);
  return ((bits[code >> 5] >> (code & 31)) & 1) != 0;
}

struct Tree {
  int n_outputs = 1;
  int output_offset = 0;
  std::vector<int32_t> feature;  // kLeaf for a leaf
  std::vector<double> threshold;
  std::vector<int32_t> left;
  std::vector<int32_t> right;
  std::vector<uint8_t> missing_left;
  std::vector<double> value;  // node_count() x n_outputs
  std::vector<int32_t> category_set;  // kNoCategories, or the set of a categorical split
  std::vector<uint32_t> category_bits;  // kCategoryWords per set
  // Training statistics (inspection and impurity-based importances).
  std::vector<double> impurity;
  std::vector<double> n_node_samples;
  std::vector<double> weighted_n_node_samples;

  std::size_t node_count() const noexcept { return feature.size(); }
  // Appends a leaf and returns its id; split_node() turns it into an internal node.
  int32_t add_node(const double* values, double impurity, double n_samples, double weighted_n_samples);
  void split_node(int32_t node, int32_t feature, double threshold, bool missing_left, int32_t left, int32_t right);
  // A categorical split: codes whose bit is set in `left_codes` (kCategoryWords words) go left.
  void split_categories(int32_t node, int32_t feature, const uint32_t* left_codes, bool missing_left, int32_t left,
                        int32_t right);
  bool has_categories() const noexcept { return !category_bits.empty(); }
  int depth() const;
  std::size_t leaf_count() const;
};

struct Forest {
  std::size_t n_features = 0;
  int n_outputs = 1;  // prediction columns
  std::vector<std::shared_ptr<const Tree>> trees;
};

// The leaf a row reaches; kCategories: the tree has categorical splits (the numeric walk skips their test).
template <bool kCategories, class T>
inline int32_t walk_to_leaf(const Tree& tree, const T* row) noexcept {
  const int32_t* feature = tree.feature.data();
  const double* threshold = tree.threshold.data();
  int32_t node = 0;
  for (int32_t f = feature[0]; f != kLeaf; f = feature[node]) {
    const double x = static_cast<double>(row[f]);
    const auto i = static_cast<std::size_t>(node);
    bool go_left;
    if (std::isnan(x)) {
      go_left = tree.missing_left[i] != 0;
    } else if constexpr (kCategories) {
      const int32_t set = tree.category_set[i];
      go_left = set == kNoCategories
                    ? x <= threshold[node]
                    : in_category_set(tree.category_bits.data() + static_cast<std::size_t>(set) * kCategoryWords, x);
    } else {
      go_left = x <= threshold[node];
    }
    node = go_left ? tree.left[i] : tree.right[i];
  }
  return node;
}

// The leaf a row reaches (the tree must be valid: see validate()).
template <class T>
inline int32_t leaf_of(const Tree& tree, const T* row) noexcept {
  return tree.has_categories() ? walk_to_leaf<true>(tree, row) : walk_to_leaf<false>(tree, row);
}

// Checks every invariant prediction relies on, so a model from an untrusted file can never read out
// of bounds or loop: array sizes, feature < n_features, children in range, every node reached exactly
// once from the root (a tree, no cycles, no sharing), output columns in range, finite values, category
// sets in range and only at internal nodes.
// Throws a RangeError naming the first problem.
void validate(const Forest& forest);

// out[r * n_outputs + k] = scale * (sum over trees of the leaf values added to column k) for a
// row-major rows x n_features X. Parallel over fixed row blocks; trees summed in order (deterministic).
template <class T>
void predict(const Forest& forest, const T* X, std::size_t rows, double scale, double* out, const ExecContext& ctx);

// out[r * n_trees + t] = the leaf of tree t that row r reaches.
template <class T>
void apply(const Forest& forest, const T* X, std::size_t rows, int32_t* out, const ExecContext& ctx);

// Impurity-based importances as scikit-learn computes them: per tree the weighted impurity decrease
// of each feature, normalised to sum 1; averaged over the trees that split at least once; normalised.
std::vector<double> feature_importances(const Forest& forest);

// How many splits of all the trees test each feature (LightGBM's "split" importance).
std::vector<double> split_counts(const Forest& forest);

}  // namespace threadml::tree
