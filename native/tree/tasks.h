// What a tree learns: the per-row statistics a histogram bin sums, how a split is scored, and what a
// node predicts. The grower (grow.h) is a template over one of these, so every option is resolved
// before the hot loops run and each criterion gets its own specialised kernels.
//
// A Task provides
//   int stride() const                         doubles per bin: [0] rows, [1] weight, [2 ..] task channels
//   void add(double* bin, uint32_t row) const  adds one row's statistics to a bin
//   double score(const double* left, const double* right) const
//                                              larger is better; comparable between splits of one node
//   double impurity(const double* stats) const
//   void value(const double* stats, double* out) const   the node's n_outputs() values
//   int n_outputs() const
//   static constexpr bool kSortedScan          true: scored from the samples themselves (absolute error),
//                                              not from bin sums; the grower then never builds histograms
//   optional: static constexpr int kPacked (== stride()) and
//             void pack(const uint32_t* rows, std::size_t n, double* out) const
//                                              each row's whole contribution to a bin (its count 1
//                                              included), kPacked per row, contiguous: the histogram
//                                              kernel gathers them once per chunk of rows, every feature
//                                              then reads them from cache and adds one row to a bin as
//                                              one vector add
//   optional: double category_key(const double* stats) const
//                                              the order of a node's categories for a categorical split;
//                                              only tasks with it accept categorical features
//   optional: void summarize(rows, n, stats, double* value, double& impurity) const
//                                              a node's value and impurity from its rows, where the sums
//                                              are not enough (medians) or not exact (constant targets)
// Gradient boosting adds a task with channels [rows, sum hessian, sum gradient, 0], score
// G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) and value -G / (H + lambda).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace threadml::tree {

enum class ClassCriterion { Gini, Entropy };

// Classification: channels are the weights of each class. Values are class probabilities.
template <ClassCriterion C>
struct ClassTask {
  int n_classes;
  const int32_t* y;       // class index per row
  const double* weight;   // per row (sample weight x class weight x bootstrap count)

  int stride() const noexcept { return 2 + n_classes; }
  int n_outputs() const noexcept { return n_classes; }
  static constexpr bool kSortedScan = false;

  void add(double* bin, uint32_t row) const noexcept {
    const double w = weight[row];
    bin[0] += 1.0;
    bin[1] += w;
    bin[2 + y[row]] += w;
  }

  // Gini: sum_k L_k^2 / W_L + sum_k R_k^2 / W_R, i.e. the weighted impurity decrease up to constants.
  // Entropy: sum_k L_k ln(L_k / W_L) + ... = -(W_L H_L + W_R H_R) in nats.
  double side_score(const double* s) const noexcept {
    const double total = s[1];
    double acc = 0.0;
    if constexpr (C == ClassCriterion::Gini) {
      for (int k = 0; k < n_classes; ++k) acc += s[2 + k] * s[2 + k];
      return acc / total;
    } else {
      for (int k = 0; k < n_classes; ++k)
        if (s[2 + k] > 0.0) acc += s[2 + k] * std::log(s[2 + k] / total);
      return acc;
    }
  }
  double score(const double* left, const double* right) const noexcept { return side_score(left) + side_score(right); }

  // scikit-learn's node impurities: gini 1 - sum p_k^2; entropy -sum p_k log2 p_k.
  double impurity(const double* s) const noexcept {
    const double total = s[1];
    if (!(total > 0.0)) return 0.0;
    double acc = 0.0;
    for (int k = 0; k < n_classes; ++k) {
      const double p = s[2 + k] / total;
      if constexpr (C == ClassCriterion::Gini) acc += p * p;
      else if (p > 0.0) acc -= p * std::log2(p);
    }
    return C == ClassCriterion::Gini ? std::max(0.0, 1.0 - acc) : acc;
  }

  void value(const double* s, double* out) const noexcept {
    for (int k = 0; k < n_classes; ++k) out[k] = s[1] > 0.0 ? s[2 + k] / s[1] : 1.0 / n_classes;
  }
};

// Regression, squared error: channels [sum w y, sum w y^2]. y is centred by the caller (offset) so
// the one-pass variance stays accurate; values add the offset back.
struct SquaredErrorTask {
  const double* y;  // centred targets
  const double* raw;  // the targets as given
  const double* weight;
  double offset;

  int stride() const noexcept { return 4; }
  int n_outputs() const noexcept { return 1; }
  static constexpr bool kSortedScan = false;

  void add(double* bin, uint32_t row) const noexcept {
    const double w = weight[row];
    const double wy = w * y[row];
    bin[0] += 1.0;
    bin[1] += w;
    bin[2] += wy;
    bin[3] += wy * y[row];
  }
  double score(const double* left, const double* right) const noexcept {
    return left[2] * left[2] / left[1] + right[2] * right[2] / right[1];
  }
  double impurity(const double* s) const noexcept {
    if (!(s[1] > 0.0)) return 0.0;
    const double mean = s[2] / s[1];
    return std::max(0.0, s[3] / s[1] - mean * mean);
  }
  void value(const double* s, double* out) const noexcept { out[0] = offset + (s[1] > 0.0 ? s[2] / s[1] : 0.0); }

  // A node's value and impurity from its rows (two passes): a constant target gives impurity 0 and
  // exactly its value, so such a node is a leaf and a step function is fitted exactly.
  void summarize(const uint32_t* rows, std::size_t n, const double* s, double* value_out, double& impurity_out) const {
    const double mean = s[1] > 0.0 ? s[2] / s[1] : 0.0;
    double sq = 0.0;
    bool constant = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = y[rows[i]] - mean;
      sq += weight[rows[i]] * d * d;
      constant = constant && raw[rows[i]] == raw[rows[0]];
    }
    value_out[0] = constant && n > 0 ? raw[rows[0]] : offset + mean;
    impurity_out = constant || !(s[1] > 0.0) ? 0.0 : sq / s[1];
  }
};

// Regression, absolute error: the impurity of a node is the mean absolute deviation from its weighted
// median, which bin sums cannot give; splits are scored from the samples (grow.h, score_absolute_error).
struct AbsoluteErrorTask {
  const double* y;
  const double* weight;

  int stride() const noexcept { return 2; }
  int n_outputs() const noexcept { return 1; }
  static constexpr bool kSortedScan = true;

  void add(double* bin, uint32_t row) const noexcept {
    bin[0] += 1.0;
    bin[1] += weight[row];
  }

  void summarize(const uint32_t* rows, std::size_t n, const double* s, double* value_out, double& impurity_out) const;
};

// Gradient boosting: channels [rows, sum hessian, sum gradient] of the loss at the current scores,
// and a fourth that stays 0: a bin is 32 bytes, so adding a row to it is one 256-bit add (grow.h).
// The grower's improvement is an impurity decrease weighted by hessian shares; with the impurity
// -G^2 / ((H + lambda) H) it equals the boosting gain G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)
// divided by the root's H. That impurity is no purity measure, so no node counts as pure.
struct GradientTask {
  const double* gh;  // per row: gradient, hessian (interleaved: one cache line per row gathered)
  double lambda;

  int stride() const noexcept { return kPacked; }
  int n_outputs() const noexcept { return 1; }
  static constexpr bool kSortedScan = false;

  void add(double* bin, uint32_t row) const noexcept {
    bin[0] += 1.0;
    bin[1] += gh[2 * static_cast<std::size_t>(row) + 1];
    bin[2] += gh[2 * static_cast<std::size_t>(row)];
  }
  static constexpr int kPacked = 4;
  void pack(const uint32_t* rows, std::size_t n, double* out) const noexcept {
    constexpr std::size_t ahead = 64;  // the rows' gradients are cache misses: fetch them a memory latency ahead
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n) __builtin_prefetch(gh + 2 * static_cast<std::size_t>(rows[i + ahead]));
      const double* row = gh + 2 * static_cast<std::size_t>(rows[i]);
      out[4 * i] = 1.0;
      out[4 * i + 1] = row[1];
      out[4 * i + 2] = row[0];
      out[4 * i + 3] = 0.0;
    }
  }
  double score(const double* left, const double* right) const noexcept {
    return left[2] * left[2] / (left[1] + lambda) + right[2] * right[2] / (right[1] + lambda);
  }
  double impurity(const double* s) const noexcept {
    return s[1] > 0.0 ? -s[2] * s[2] / ((s[1] + lambda) * s[1]) : 0.0;
  }
  bool pure(const double*) const noexcept { return false; }
  void value(const double* s, double* out) const noexcept { out[0] = s[1] + lambda > 0.0 ? -s[2] / (s[1] + lambda) : 0.0; }
  // The order of a categorical split's categories (grow.h, scan_categories): LightGBM's G / (H + cat_smooth)
  // with its default smoothing 10, which keeps categories with little hessian from the ends of the order.
  static constexpr double kCategorySmoothing = 10.0;
  double category_key(const double* s) const noexcept { return s[2] / (s[1] + kCategorySmoothing); }
};

// Weighted median and absolute deviation of a set of samples, as scikit-learn's absolute_error
// criterion defines them (the median averages the two middle values when the weight splits evenly).
struct MedianSummary {
  double median = 0.0;
  double deviation = 0.0;  // sum w |y - median|
};

inline MedianSummary weighted_median(const double* y, const double* weight, const uint32_t* rows, std::size_t n) {
  std::vector<uint32_t> order(rows, rows + n);
  std::sort(order.begin(), order.end(), [y](uint32_t a, uint32_t b) { return y[a] < y[b]; });
  double total = 0.0;
  for (uint32_t r : order) total += weight[r];
  MedianSummary out;
  double below = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    below += weight[order[i]];
    if (below >= total / 2.0) {
      out.median = (below == total / 2.0 && i + 1 < n) ? (y[order[i]] + y[order[i + 1]]) / 2.0 : y[order[i]];
      break;
    }
  }
  for (uint32_t r : order) out.deviation += weight[r] * std::abs(y[r] - out.median);
  return out;
}

inline void AbsoluteErrorTask::summarize(const uint32_t* rows, std::size_t n, const double* s, double* value_out,
                                         double& impurity_out) const {
  const MedianSummary m = weighted_median(y, weight, rows, n);
  value_out[0] = m.median;
  impurity_out = s[1] > 0.0 ? m.deviation / s[1] : 0.0;
}

}  // namespace threadml::tree
