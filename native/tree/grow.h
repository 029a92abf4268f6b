// Growing one tree on binned features: split search, row partitioning and the growth order.
//
// grow_tree<Task, Code>() is generic over the statistics (tasks.h) and the code width of the binned
// matrix, so random forests, single trees and gradient boosting share one implementation:
//  - a node's split is searched per feature from a histogram of its bins, or, when the node has fewer
//    rows than the feature has bins, from its rows counting-sorted by bin (same candidate splits,
//    same result, less work on deep small nodes);
//  - when every feature is searched at every node (max_features = all), histograms are kept and a
//    node's children get theirs by building the smaller child's and subtracting it from the parent's;
//  - missing values (the last bin) are tried on both sides, as scikit-learn >= 1.3 does;
//  - a categorical feature (gradient tasks only) splits on a set of categories: LightGBM's k-category
//    split, the node's categories ordered by G / (H + smoothing) and the best prefix of that order;
//  - growth is depth-first, or best-first by impurity decrease when max_leaf_nodes is set;
//  - features of a node are searched in parallel; results combine in draw order (deterministic).
#pragma once
#include <algorithm>
#include <array>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/aligned.h"
#include "core/cpu.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "tree/binning.h"
#include "tree/tasks.h"
#include "tree/tree.h"

namespace threadml::tree {

struct GrowParams {
  int max_depth = INT_MAX;  // the root has depth 0
  std::size_t min_samples_split = 2;
  std::size_t min_samples_leaf = 1;
  double min_weight_leaf = 0.0;
  double min_impurity_decrease = 0.0;  // weighted by the node's share of the root's weight, as scikit-learn
  std::size_t max_features = 0;        // features drawn per node; 0 = all
  std::size_t max_leaf_nodes = 0;      // 0 = unlimited, depth-first; otherwise best-first
  std::vector<int32_t> features;       // the only features the tree may split on; empty = all
  std::size_t histogram_budget_bytes = std::size_t{256} << 20;  // kept node histograms (subtraction)
};

// Memory a tree's growth reuses from one tree to the next (boosting grows hundreds): allocated per
// tree, buffers this size cost page faults and zeroing every time.
struct GrowBuffers {
  std::vector<uint32_t> staging;                // split_by's rows of a node being partitioned
  AlignedVector<double> partials;                 // build_histograms' row tasks 1..
  std::vector<AlignedVector<double>> histograms;  // node histograms not in use, any content
};

// GrowBuffers for trees grown at the same time, one set per tree in progress.
class GrowBufferPool {
 public:
  std::unique_ptr<GrowBuffers> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return std::make_unique<GrowBuffers>();
    std::unique_ptr<GrowBuffers> out = std::move(free_.back());
    free_.pop_back();
    return out;
  }
  void give_back(std::unique_ptr<GrowBuffers> buffers) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(buffers));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<GrowBuffers>> free_;
};

// Where a tree's training rows ended: leaf `node` holds rows[begin, end).
struct Partition {
  struct Leaf {
    int32_t node;
    std::size_t begin;
    std::size_t end;
  };
  std::vector<uint32_t> rows;
  std::vector<Leaf> leaves;
};

namespace detail {

// Below this many row-feature visits a node's features are searched on one thread: waking a team
// costs more than the work.
constexpr std::size_t kParallelNodeWork = 1 << 15;

// Histogram building: a node's rows in equal tasks of at most kHistRows (partial histograms summed
// in task order, so sums do not depend on the thread count), its features in groups of
// kHistFeatures, and inside a task chunks of kHistChunk rows whose statistics stay in cache while
// each feature of the group reads them.
constexpr std::size_t kHistRows = std::size_t{1} << 16;
constexpr std::size_t kHistChunk = std::size_t{1} << 12;
constexpr std::size_t kHistFeatures = 16;

// Most rows per task (equal tasks) of a node's partition: counted per block, then written stably per block.
constexpr std::size_t kPartitionRows = std::size_t{1} << 15;

// A bin of packed statistics (Task::kPacked == 4): one 256-bit add with AVX, two 128-bit adds without.
using PackedBin = double __attribute__((vector_size(4 * sizeof(double))));

// A feature in build_histograms_by_row.
struct HistSlot {
  std::size_t group;    // its row group (BinnedMatrix::row_groups)
  std::size_t pos;      // its byte in the group's rows
  std::size_t feature;
};

struct FeatureResult {
  bool constant = true;
  bool has_missing = false;
  int bin = 0;
  bool missing_left = false;
  double score = -std::numeric_limits<double>::infinity();
  double impurity_left = 0.0;  // absolute error only: stats cannot give it
  double impurity_right = 0.0;
  std::array<uint32_t, kCategoryWords> left_categories{};  // categorical features: the codes going left
};

struct Candidate {
  int32_t feature = -1;
  FeatureResult result;
  std::vector<double> left;  // statistics of the left child
  double improvement = 0.0;
};

struct Pending {
  int32_t id = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  int depth = 0;
  double impurity = 0.0;
  std::vector<double> stats;
  std::vector<int32_t> features;  // not known to be constant in this node
  Candidate split;
  AlignedVector<double> hist;  // every feature's histogram, when kept for subtraction
};

// Per-thread scratch: sized on first use, reused across nodes and trees.
struct Scratch {
  std::vector<uint32_t> codes;
  std::vector<uint32_t> order;
  std::vector<uint32_t> buckets;
  std::vector<uint64_t> keys;
  std::vector<int32_t> run_bin;
  std::vector<double> run_stats;
  std::vector<double> hist;
  std::vector<double> packed;
  std::vector<double> left;
  std::vector<double> right;
  std::vector<double> fenwick;  // absolute error: two trees of (weight, weight * y)
  std::vector<std::pair<double, uint32_t>> category_order;  // (sort key, run)
};

// The job's threads without its progress: per-node loops must not report the node's own fraction.
inline ExecContext quiet(const ExecContext& ctx, std::size_t work) {
  ExecContext out = ctx.for_work(work, kParallelNodeWork);
  out.progress = nullptr;
  return out;
}

inline Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

// A Fenwick tree over ranks 1..n of pairs (weight, weight * y): the weighted median and absolute
// deviation of a changing set of samples in O(log n).
class MedianTree {
 public:
  MedianTree(double* storage, std::size_t n) : t_(storage), n_(n) { std::fill(t_, t_ + 2 * (n + 1), 0.0); }
  void add(std::size_t rank, double w, double wy) noexcept {
    for (std::size_t i = rank + 1; i <= n_; i += i & (~i + 1)) {
      t_[2 * i] += w;
      t_[2 * i + 1] += wy;
    }
  }
  // Sum of w |y - median| over the set, whose total weight and weighted sum are given.
  double deviation(const double* sorted_y, const double* sorted_w, double total_w, double total_wy) const noexcept {
    if (!(total_w > 0.0)) return 0.0;
    std::size_t pos = 0;
    double below_w = 0.0;
    double below_wy = 0.0;
    std::size_t step = 1;
    while (step * 2 <= n_) step *= 2;
    for (; step > 0; step /= 2) {
      const std::size_t next = pos + step;
      if (next <= n_ && below_w + t_[2 * next] < total_w / 2.0) {
        pos = next;
        below_w += t_[2 * next];
        below_wy += t_[2 * next + 1];
      }
    }
    // Rank `pos` (0-based) holds the median; count it below.
    const std::size_t k = std::min(pos, n_ - 1);
    const double median = sorted_y[k];
    below_w += sorted_w[k];
    below_wy += sorted_w[k] * sorted_y[k];
    const double dev = median * below_w - below_wy + (total_wy - below_wy) - median * (total_w - below_w);
    return std::max(0.0, dev);
  }

 private:
  double* t_;
  std::size_t n_;
};

}  // namespace detail

template <class Task, class Code>
class Grower {
 public:
  Grower(const BinnedMatrix& bins, const Task& task, std::vector<uint32_t> rows, const GrowParams& params, Rng& rng,
         const ExecContext& ctx, GrowBuffers& buffers)
      : bins_(bins),
        task_(task),
        rows_(std::move(rows)),
        params_(params),
        rng_(rng),
        ctx_(ctx),
        S_(task.stride()),
        tmp_(buffers.staging),
        partials_(buffers.partials),
        spare_histograms_(buffers.histograms) {
    tree_.n_outputs = task_.n_outputs();
    offsets_.resize(bins_.cols + 1, 0);
    for (std::size_t f = 0; f < bins_.cols; ++f)
      offsets_[f + 1] = offsets_[f] + static_cast<std::size_t>(bins_.features[f].n_bins() + 1) * S_;
    subtract_ = !Task::kSortedScan && params_.max_features == 0;
    const std::size_t hist_bytes = offsets_.back() * sizeof(double);
    max_kept_ = hist_bytes == 0 ? 0 : std::max<std::size_t>(2, params_.histogram_budget_bytes / hist_bytes);
    mean_codes_ = static_cast<double>(offsets_.back()) / static_cast<double>(S_ * std::max<std::size_t>(1, bins_.cols));
  }

  Tree grow() {
    detail::Pending root;
    root.begin = 0;
    root.end = rows_.size();
    root.stats.assign(static_cast<std::size_t>(S_), 0.0);
    for (uint32_t r : rows_) task_.add(root.stats.data(), r);
    root_weight_ = root.stats[1];
    if (params_.features.empty()) {
      for (std::size_t f = 0; f < bins_.cols; ++f)
        if (bins_.features[f].informative()) root.features.push_back(static_cast<int32_t>(f));
    } else {
      for (int32_t f : params_.features)
        if (bins_.features[static_cast<std::size_t>(f)].informative()) root.features.push_back(f);
    }
    root.id = add_node(root);
    std::vector<detail::Pending> frontier;
    if (splittable(root) && evaluate(root)) frontier.push_back(std::move(root));
    else finish_leaf(root);
    std::size_t leaves = 1;
    const bool best_first = params_.max_leaf_nodes > 0;
    auto before = [](const detail::Pending& a, const detail::Pending& b) {
      return a.split.improvement < b.split.improvement ||
             (a.split.improvement == b.split.improvement && a.id > b.id);
    };
    while (!frontier.empty()) {
      if (best_first) std::pop_heap(frontier.begin(), frontier.end(), before);
      detail::Pending node = std::move(frontier.back());
      frontier.pop_back();
      if (best_first && leaves >= params_.max_leaf_nodes) {
        finish_leaf(node);
        continue;
      }
      ctx_.check_cancelled();
      detail::Pending children[2];
      // The split that reaches max_leaf_nodes makes two leaves: their splits are not searched.
      last_split_ = best_first && leaves + 1 >= params_.max_leaf_nodes;
      split(node, children);
      ++leaves;
      // Depth-first: the left child is split next (pushed last).
      for (int side = 1; side >= 0; --side) {
        detail::Pending& child = children[side];
        if (child.stats.empty()) continue;  // already a leaf
        frontier.push_back(std::move(child));
        if (best_first) std::push_heap(frontier.begin(), frontier.end(), before);
      }
    }
    return std::move(tree_);
  }

  // After grow(): the rows by leaf.
  Partition take_partition() { return {std::move(rows_), std::move(leaves_)}; }

 private:
  int32_t add_node(detail::Pending& p) {
    std::vector<double> value(static_cast<std::size_t>(task_.n_outputs()));
    const std::size_t n = p.end - p.begin;
    if constexpr (requires { task_.summarize(rows_.data(), n, p.stats.data(), value.data(), p.impurity); }) {
      task_.summarize(rows_.data() + p.begin, n, p.stats.data(), value.data(), p.impurity);
    } else {
      task_.value(p.stats.data(), value.data());
      p.impurity = task_.impurity(p.stats.data());
    }
    return tree_.add_node(value.data(), p.impurity, static_cast<double>(n), p.stats[1]);
  }

  bool splittable(const detail::Pending& p) const {
    const std::size_t n = p.end - p.begin;
    return p.depth < params_.max_depth && n >= params_.min_samples_split && n >= 2 * params_.min_samples_leaf &&
           p.stats[1] >= 2 * params_.min_weight_leaf && !pure(p) && !p.features.empty();
  }

  // A pure node cannot improve; a task whose impurity is not a purity measure (gradients) says so itself.
  bool pure(const detail::Pending& p) const {
    if constexpr (requires { task_.pure(p.stats.data()); }) return task_.pure(p.stats.data());
    else return !(p.impurity > DBL_EPSILON);
  }

  void finish_leaf(detail::Pending& p) {
    leaf_rows_ += p.end - p.begin;
    leaves_.push_back({p.id, p.begin, p.end});
    drop_histogram(p);
    if (ctx_.progress != nullptr) ctx_.report(static_cast<double>(leaf_rows_) / static_cast<double>(rows_.size()));
  }

  // Kept histograms pay off for nodes with more rows than bins (statistics) to scan.
  bool keeps_histogram(std::size_t n) const { return 2.0 * static_cast<double>(n) >= mean_codes_ * S_; }

  bool use_histogram(std::size_t n, int32_t feature) const {
    return 2 * n >= static_cast<std::size_t>(bins_.features[static_cast<std::size_t>(feature)].n_bins() + 1) * S_;
  }

  // Searches the node's features (all, or max_features drawn at random, more when drawn ones are
  // constant, as scikit-learn); stores the best split; false when no split is allowed.
  bool evaluate(detail::Pending& p) {
    ctx_.check_cancelled();
    const std::size_t n = p.end - p.begin;
    const std::size_t nf = p.features.size();
    const std::size_t wanted = params_.max_features == 0 ? nf : std::min(params_.max_features, nf);
    if constexpr (Task::kSortedScan) prepare_ranks(p);
    if (subtract_ && p.hist.empty() && keeps_histogram(n) && kept_ < max_kept_) {
      keep_histogram(p);
      build_histograms(rows_.data() + p.begin, n, p.features, p.hist.data());
    }
    results_.resize(nf);
    lefts_.resize(nf * static_cast<std::size_t>(S_));
    std::size_t drawn = 0;
    std::size_t searched = 0;
    while (searched < wanted && drawn < nf) {
      const std::size_t batch = std::min(wanted - searched, nf - drawn);
      if (wanted < nf)
        for (std::size_t i = drawn; i < drawn + batch; ++i)
          std::swap(p.features[i], p.features[i + rng_.below(nf - i)]);
      parallel_for(detail::quiet(ctx_, n * batch), batch, [&](std::size_t b) {
        const std::size_t i = drawn + b;
        search_feature(p, p.features[i], results_[i], lefts_.data() + i * static_cast<std::size_t>(S_));
      });
      for (std::size_t i = drawn; i < drawn + batch; ++i) searched += results_[i].constant ? 0 : 1;
      drawn += batch;
    }
    detail::Candidate& best = p.split;
    best = detail::Candidate{};
    for (std::size_t i = 0; i < drawn; ++i)
      if (!results_[i].constant && results_[i].score > best.result.score) {
        best.feature = p.features[i];
        best.result = results_[i];
        best.left.assign(lefts_.begin() + static_cast<std::ptrdiff_t>(i * S_),
                         lefts_.begin() + static_cast<std::ptrdiff_t>((i + 1) * S_));
      }
    // Children inherit the features not found constant here.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < nf; ++i)
      if (i >= drawn || !results_[i].constant) p.features[kept++] = p.features[i];
    p.features.resize(kept);
    if (best.feature < 0) return false;
    std::vector<double> right(p.stats);
    for (int c = 0; c < S_; ++c) right[static_cast<std::size_t>(c)] -= best.left[static_cast<std::size_t>(c)];
    double impurity_left = best.result.impurity_left;
    double impurity_right = best.result.impurity_right;
    if constexpr (!Task::kSortedScan) {
      impurity_left = task_.impurity(best.left.data());
      impurity_right = task_.impurity(right.data());
    }
    const double w = p.stats[1];
    best.improvement = w / root_weight_ *
                       (p.impurity - best.left[1] / w * impurity_left - right[1] / w * impurity_right);
    return best.improvement + DBL_EPSILON >= params_.min_impurity_decrease;
  }

  void search_feature(detail::Pending& p, int32_t feature, detail::FeatureResult& out, double* left_out) {
    const auto f = static_cast<std::size_t>(feature);
    const int n_codes = bins_.features[f].n_bins() + 1;
    const bool categorical = bins_.features[f].categorical;
    out = detail::FeatureResult{};
    const double* kept = p.hist.empty() ? nullptr : p.hist.data() + offsets_[f];
    if constexpr (requires { Task::kPacked; }) {
      // The usual case: no scratch (its thread-local lookup costs as much as a small scan).
      if (kept != nullptr && !categorical) return scan_histogram(kept, n_codes - 1, p.stats.data(), out, left_out);
    }
    detail::Scratch& s = detail::scratch();
    const std::size_t n = p.end - p.begin;
    const Code* column = bins_.template column<Code>(f);
    const uint32_t* rows = rows_.data() + p.begin;
    if constexpr (Task::kSortedScan) {
      sorted_runs(column, rows, n, n_codes, s, false);
      scan_absolute_error(p, s, n_codes - 1, out, left_out);
    } else {
      const double* hist = kept;
      if (hist == nullptr && use_histogram(n, feature)) {
        s.hist.resize(static_cast<std::size_t>(n_codes) * S_);
        build_histogram(column, rows, n, n_codes, s.hist.data());
        hist = s.hist.data();
      }
      if constexpr (requires { Task::kPacked; }) {
        if (hist != nullptr && !categorical) return scan_histogram(hist, n_codes - 1, p.stats.data(), out, left_out);
      }
      if (hist != nullptr) {
        runs_from_histogram(hist, n_codes, s);
      } else {
        sorted_runs(column, rows, n, n_codes, s, true);
      }
      if constexpr (requires { task_.category_key(p.stats.data()); }) {
        if (categorical) {
          scan_categories(p.stats.data(), n_codes - 1, s, out, left_out);
          return;
        }
      }
      scan(p.stats.data(), n_codes - 1, s, out, left_out);
    }
  }

  void build_histogram(const Code* column, const uint32_t* rows, std::size_t n, int n_codes, double* hist) const {
    std::fill(hist, hist + static_cast<std::size_t>(n_codes) * S_, 0.0);
    accumulate(column, rows, n, hist);
  }

  void accumulate(const Code* column, const uint32_t* rows, std::size_t n, double* hist) const {
    for (std::size_t i = 0; i < n; ++i) task_.add(hist + static_cast<std::size_t>(column[rows[i]]) * S_, rows[i]);
  }

  // One row's packed statistics (Task::pack) into a bin.
  [[gnu::always_inline]] static void add_packed(double* __restrict bin, const double* __restrict stats) {
    static_assert(Task::kPacked == 4, "packed bins are four doubles: one 256-bit add");
    detail::PackedBin b, v;
    __builtin_memcpy(&b, bin, sizeof b);
    __builtin_memcpy(&v, stats, sizeof v);
    b += v;
    __builtin_memcpy(bin, &b, sizeof b);
  }

  // accumulate() from packed statistics (Task::pack).
  static void accumulate_packed(const Code* __restrict column, const uint32_t* __restrict rows, std::size_t n,
                                const double* __restrict packed, double* __restrict hist) {
    constexpr std::size_t P = Task::kPacked;
    // The codes of sparse rows are cache misses: fetch them a few rows ahead.
    constexpr std::size_t ahead = 16;
    for (std::size_t i = 0; i + ahead < n; ++i) {
      __builtin_prefetch(column + rows[i + ahead]);
      add_packed(hist + static_cast<std::size_t>(column[rows[i]]) * P, packed + i * P);
    }
    for (std::size_t i = n > ahead ? n - ahead : 0; i < n; ++i)
      add_packed(hist + static_cast<std::size_t>(column[rows[i]]) * P, packed + i * P);
  }

  // Every listed feature's histogram of `rows` into hist (offsets_ layout), parallel over row tasks
  // and feature groups (see kHistRows).
  void build_histograms(const uint32_t* rows, std::size_t n, const std::vector<int32_t>& features, double* hist) {
    if constexpr (sizeof(Code) == 1 && requires { Task::kPacked; }) {
      if (!bins_.row_groups().empty() || !bins_.sparse_features().empty())
        return build_histograms_by_row(rows, n, features, hist);
    }
    const std::size_t nf = features.size();
    const std::size_t row_tasks = task_count(n, detail::kHistRows);
    // Groups of equal size: two tasks of 14 features each balance two threads, 16 and 12 do not.
    const std::size_t groups = task_count(nf, detail::kHistFeatures);
    const std::size_t group = groups == 0 ? 0 : task_count(nf, groups);
    const std::size_t size = offsets_.back();
    if (row_tasks > 1) partials_.resize((row_tasks - 1) * size);
    parallel_for(detail::quiet(ctx_, n * nf), row_tasks * groups, [&](std::size_t task) {
      const std::size_t t = task / groups;
      const std::size_t f0 = (task % groups) * group;
      const std::size_t f1 = std::min(nf, f0 + group);
      double* out = t == 0 ? hist : partials_.data() + (t - 1) * size;
      for (std::size_t i = f0; i < f1; ++i) {
        const auto f = static_cast<std::size_t>(features[i]);
        std::fill(out + offsets_[f], out + offsets_[f + 1], 0.0);
      }
      const std::size_t r1 = task_start(n, row_tasks, t + 1);
      for (std::size_t c0 = task_start(n, row_tasks, t); c0 < r1; c0 += detail::kHistChunk) {
        const std::size_t c1 = std::min(r1, c0 + detail::kHistChunk);
        if constexpr (requires { Task::kPacked; }) {
          std::vector<double>& packed = detail::scratch().packed;
          packed.resize(detail::kHistChunk * Task::kPacked);
          task_.pack(rows + c0, c1 - c0, packed.data());
          for (std::size_t i = f0; i < f1; ++i) {
            const auto f = static_cast<std::size_t>(features[i]);
            accumulate_packed(bins_.template column<Code>(f), rows + c0, c1 - c0, packed.data(), out + offsets_[f]);
          }
        } else {
          for (std::size_t i = f0; i < f1; ++i) {
            const auto f = static_cast<std::size_t>(features[i]);
            accumulate(bins_.template column<Code>(f), rows + c0, c1 - c0, out + offsets_[f]);
          }
        }
      }
    });
    if (row_tasks == 1) return;
    parallel_for(detail::quiet(ctx_, size * row_tasks), nf, [&](std::size_t i) {
      const auto f = static_cast<std::size_t>(features[i]);
      for (std::size_t t = 1; t < row_tasks; ++t) {
        const double* part = partials_.data() + (t - 1) * size;
        for (std::size_t k = offsets_[f]; k < offsets_[f + 1]; ++k) hist[k] += part[k];
      }
    });
  }

  // build_histograms() on the row-major codes: per row, its codes of a row group are one cache line
  // and its packed statistics, gathered once per chunk, serve every listed feature. Tasks are row
  // tasks x parts of the listed dense features; parts are cut only to give every thread work, since
  // each part gathers the rows again. Part 0 also adds the rows' sparse codes and their totals.
  void build_histograms_by_row(const uint32_t* rows, std::size_t n, const std::vector<int32_t>& features,
                               double* hist) {
    const std::vector<BinnedMatrix::RowGroup>& groups = bins_.row_groups();
    // The listed dense features by row group: their byte in the group's rows and their histogram.
    slots_.clear();
    sparse_listed_.clear();
    for (int32_t feature : features) {
      const auto f = static_cast<std::size_t>(feature);
      const int32_t g = bins_.row_group_of(f);
      if (g < 0) sparse_listed_.push_back(f);
      else slots_.push_back({static_cast<std::size_t>(g), bins_.row_pos_of(f), f});
    }
    std::sort(slots_.begin(), slots_.end(), [](const detail::HistSlot& a, const detail::HistSlot& b) {
      return a.group < b.group || (a.group == b.group && a.pos < b.pos);
    });
    slot_offsets_.resize(slots_.size());
    for (std::size_t i = 0; i < slots_.size(); ++i) slot_offsets_[i] = offsets_[slots_[i].feature];
    const bool sparse = !bins_.sparse_features().empty();
    const std::size_t nf = slots_.size();
    const std::size_t row_tasks = task_count(n, detail::kHistRows);
    const ExecContext work = detail::quiet(ctx_, n * features.size());
    const std::size_t parts = std::max<std::size_t>(1, std::min(nf, task_count(static_cast<std::size_t>(work.threads), row_tasks)));
    const std::size_t part = task_count(nf, parts);
    const std::size_t size = offsets_.back();
    const auto S = static_cast<std::size_t>(S_);
    if (row_tasks > 1) partials_.resize((row_tasks - 1) * size);
    totals_.assign(row_tasks * S, 0.0);
    const bool wide = simd_level() >= SimdLevel::Avx2;
    const auto rows_kernel = wide ? avx2_variant<&accumulate_rows<false>> : &accumulate_rows<false>;
    const auto adjacent_rows_kernel = wide ? avx2_variant<&accumulate_rows<true>> : &accumulate_rows<true>;
    const auto sparse_kernel = wide ? avx2_variant<&accumulate_sparse> : &accumulate_sparse;
    parallel_for(work, row_tasks * parts, [&](std::size_t task) {
      const std::size_t t = task / parts;
      const std::size_t s0 = (task % parts) * part;
      const std::size_t s1 = std::min(nf, s0 + part);
      const bool first_part = task % parts == 0;
      double* out = t == 0 ? hist : partials_.data() + (t - 1) * size;
      for (std::size_t i = s0; i < s1; ++i)
        std::fill(out + offsets_[slots_[i].feature], out + offsets_[slots_[i].feature + 1], 0.0);
      if (first_part)
        for (std::size_t f : sparse_listed_) std::fill(out + offsets_[f], out + offsets_[f + 1], 0.0);
      std::vector<double>& packed = detail::scratch().packed;
      packed.resize(detail::kHistChunk * Task::kPacked);
      const std::size_t r1 = task_start(n, row_tasks, t + 1);
      for (std::size_t c0 = task_start(n, row_tasks, t); c0 < r1; c0 += detail::kHistChunk) {
        const std::size_t c1 = std::min(r1, c0 + detail::kHistChunk);
        task_.pack(rows + c0, c1 - c0, packed.data());
        for (std::size_t a = s0; a < s1;) {
          std::size_t b = a;
          while (b < s1 && slots_[b].group == slots_[a].group) ++b;
          const BinnedMatrix::RowGroup& g = groups[slots_[a].group];
          // Adjacent bytes (every feature of a group listed, the usual case) need no per-feature position.
          const bool adjacent = slots_[b - 1].pos - slots_[a].pos == b - 1 - a;
          (adjacent ? adjacent_rows_kernel : rows_kernel)(bins_.row_codes(g) + (adjacent ? slots_[a].pos : 0), g.stride,
                                                          rows + c0, c1 - c0, packed.data(), slots_.data() + a,
                                                          slot_offsets_.data() + a, b - a, out);
          a = b;
        }
        if (sparse && first_part)
          sparse_kernel(bins_.sparse_start(), bins_.sparse_bins(), rows + c0, c1 - c0, packed.data(), out,
                        totals_.data() + t * S);
      }
    });
    if (row_tasks > 1) {
      parallel_for(detail::quiet(ctx_, size * row_tasks), features.size(), [&](std::size_t i) {
        const auto f = static_cast<std::size_t>(features[i]);
        for (std::size_t t = 1; t < row_tasks; ++t) {
          const double* part_hist = partials_.data() + (t - 1) * size;
          for (std::size_t k = offsets_[f]; k < offsets_[f + 1]; ++k) hist[k] += part_hist[k];
        }
      });
    }
    if (sparse_listed_.empty()) return;
    // A sparse feature's most frequent bin: the rows' totals (row tasks in order) minus its other bins.
    double total[Task::kPacked] = {};
    for (std::size_t t = 0; t < row_tasks; ++t)
      for (std::size_t c = 0; c < S; ++c) total[c] += totals_[t * S + c];
    parallel_for(detail::quiet(ctx_, size), sparse_listed_.size(), [&](std::size_t i) {
      const std::size_t f = sparse_listed_[i];
      const auto n_codes = static_cast<std::size_t>(bins_.features[f].n_bins() + 1);
      double* h = hist + offsets_[f];
      double* top = h + static_cast<std::size_t>(bins_.default_code(f)) * S;
      for (std::size_t c = 0; c < S; ++c) {
        double rest = total[c];
        for (std::size_t b = 0; b < n_codes; ++b) rest -= h[b * S + c];
        top[c] = rest;  // was 0: no sparse code names it
      }
    });
  }

  // The rows' sparse codes (flat bins) into the histograms, and the rows' totals into total.
  [[gnu::always_inline]] static void accumulate_sparse(const uint64_t* __restrict start, const uint32_t* __restrict flat,
                                const uint32_t* __restrict rows, std::size_t n, const double* __restrict packed,
                                double* __restrict out, double* __restrict total) {
    constexpr std::size_t P = Task::kPacked;
    constexpr std::size_t ahead = 8;  // scattered rows' entries are cache misses: fetch them ahead
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n) __builtin_prefetch(flat + start[rows[i + ahead]]);
      const double* stats = packed + i * P;
      add_packed(total, stats);
      for (uint64_t e = start[rows[i]]; e < start[rows[i] + 1]; ++e)
        add_packed(out + static_cast<std::size_t>(flat[e]) * P, stats);
    }
  }

  // The rows' statistics (packed) into the histograms of `count` slots of one row group (slot k's
  // histogram at offsets[k]). kAdjacent: slot k's code is byte k of a row of `codes`.
  template <bool kAdjacent>
  [[gnu::always_inline]] static void accumulate_rows(const uint8_t* __restrict codes, std::size_t stride, const uint32_t* __restrict rows,
                              std::size_t n, const double* __restrict packed, const detail::HistSlot* slots,
                              const std::size_t* __restrict offsets, std::size_t count, double* __restrict out) {
    constexpr std::size_t P = Task::kPacked;
    constexpr std::size_t ahead = 16;  // scattered rows' codes are cache misses: fetch them ahead
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n) __builtin_prefetch(codes + static_cast<std::size_t>(rows[i + ahead]) * stride);
      const uint8_t* row = codes + static_cast<std::size_t>(rows[i]) * stride;
      const double* stats = packed + i * P;
      for (std::size_t k = 0; k < count; ++k)
        add_packed(out + offsets[k] + static_cast<std::size_t>(row[kAdjacent ? k : slots[k].pos]) * P, stats);
    }
  }

  // The non-empty bins of a histogram as runs (bin, statistics).
  void runs_from_histogram(const double* hist, int n_codes, detail::Scratch& s) const {
    s.run_bin.clear();
    s.run_stats.clear();
    for (int b = 0; b < n_codes; ++b) {
      const double* bin = hist + static_cast<std::size_t>(b) * S_;
      if (bin[0] == 0.0) continue;
      s.run_bin.push_back(b);
      s.run_stats.insert(s.run_stats.end(), bin, bin + S_);
    }
  }

  // The node's rows ordered by bin (counting sort for byte codes), and, when `sums`, the runs of
  // equal bins with their summed statistics. s.order holds row positions in bin order.
  void sorted_runs(const Code* column, const uint32_t* rows, std::size_t n, int n_codes, detail::Scratch& s,
                   bool sums) const {
    s.codes.resize(n);
    s.order.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.codes[i] = column[rows[i]];
    if constexpr (sizeof(Code) == 1) {
      s.buckets.assign(static_cast<std::size_t>(n_codes) + 1, 0);
      for (std::size_t i = 0; i < n; ++i) ++s.buckets[s.codes[i] + 1];
      for (int b = 0; b < n_codes; ++b) s.buckets[static_cast<std::size_t>(b) + 1] += s.buckets[static_cast<std::size_t>(b)];
      for (std::size_t i = 0; i < n; ++i) s.order[s.buckets[s.codes[i]]++] = static_cast<uint32_t>(i);
    } else {
      s.keys.resize(n);
      for (std::size_t i = 0; i < n; ++i) s.keys[i] = (static_cast<uint64_t>(s.codes[i]) << 32) | i;
      std::sort(s.keys.begin(), s.keys.end());
      for (std::size_t i = 0; i < n; ++i) s.order[i] = static_cast<uint32_t>(s.keys[i]);
    }
    s.run_bin.clear();
    s.run_stats.clear();
    if (!sums) return;
    for (std::size_t k = 0; k < n; ++k) {
      const uint32_t i = s.order[k];
      const auto code = static_cast<int32_t>(s.codes[i]);
      if (s.run_bin.empty() || s.run_bin.back() != code) {
        s.run_bin.push_back(code);
        s.run_stats.resize(s.run_stats.size() + static_cast<std::size_t>(S_), 0.0);
      }
      task_.add(s.run_stats.data() + s.run_stats.size() - S_, rows[i]);
    }
  }

  // Scores the split with statistics s.left on the left (the rest of `total` right); keeps it in `out`
  // (as `bin`, the split's position in the caller's scan) when it beats out.score.
  void consider(const double* total, detail::Scratch& s, int bin, bool missing_left, detail::FeatureResult& out,
                double* left_out) const {
    consider(total, s.left.data(), s.right.data(), bin, missing_left, out, left_out);
  }

  // consider() with the left statistics in l and room for the right ones in r; kChannels, when
  // known, is S_ (fixed-length loops keep local l and r in registers).
  template <int kChannels = 0>
  [[gnu::always_inline]] void consider(const double* total, const double* l, double* r, int bin, bool missing_left,
                                       detail::FeatureResult& out, double* left_out) const {
    const auto S = static_cast<std::size_t>(kChannels > 0 ? kChannels : S_);
    for (std::size_t c = 0; c < S; ++c) r[c] = total[c] - l[c];
    if (l[0] < params_.min_samples_leaf || r[0] < params_.min_samples_leaf) return;
    if (!(l[1] > 0.0 && r[1] > 0.0) || l[1] < params_.min_weight_leaf || r[1] < params_.min_weight_leaf) return;
    const double score = task_.score(l, r);
    if (score > out.score) {
      out.score = score;
      out.bin = bin;
      out.missing_left = missing_left;
      std::copy(l, l + S, left_out);
    }
  }

  // Starts a scan of a feature's runs: false when a single run leaves nothing to split; otherwise
  // notes missing values (the run of bin `missing`, last) and returns the runs of present values.
  bool start_scan(int missing, detail::Scratch& s, detail::FeatureResult& out, std::size_t& present) const {
    const std::size_t runs = s.run_bin.size();
    if (runs <= 1) return false;
    out.constant = false;
    out.has_missing = s.run_bin.back() == missing;
    present = runs - (out.has_missing ? 1 : 0);
    s.left.assign(static_cast<std::size_t>(S_), 0.0);
    s.right.resize(static_cast<std::size_t>(S_));
    return true;
  }

  // Best split of one feature from its runs: "bin <= b" for each boundary, with missing values (the
  // run of bin `missing`) on the right, then on the left.
  void scan(const double* total, int missing, detail::Scratch& s, detail::FeatureResult& out, double* left_out) const {
    std::size_t present = 0;
    if (!start_scan(missing, s, out, present)) return;
    const bool has_missing = out.has_missing;
    const std::size_t runs = s.run_bin.size();
    const auto S = static_cast<std::size_t>(S_);
    auto consider = [&](int bin, bool missing_left) { this->consider(total, s, bin, missing_left, out, left_out); };
    const double* stats = s.run_stats.data();
    for (std::size_t k = 0; k < present; ++k) {
      for (std::size_t c = 0; c < S; ++c) s.left[c] += stats[k * S + c];
      if (k + 1 < present) consider(s.run_bin[k], false);
      else if (has_missing) consider(missing - 1, false);  // every value left, missing right: x <= inf
    }
    if (!has_missing) return;
    std::copy(stats + present * S, stats + runs * S, s.left.begin());
    for (std::size_t k = 0; k + 1 < present; ++k) {
      for (std::size_t c = 0; c < S; ++c) s.left[c] += stats[k * S + c];
      consider(s.run_bin[k], true);
    }
  }

  // scan() straight from a numeric feature's packed histogram (bins of Task::kPacked channels, the
  // missing bin last): the same splits and sums, without gathering the non-empty bins first.
  void scan_histogram(const double* hist, int missing, const double* total, detail::FeatureResult& out,
                      double* left_out) const {
    constexpr int P = Task::kPacked;
    const bool has_missing = hist[missing * P] != 0.0;
    double l[P] = {};
    double r[P];
    // One pass: the split "code <= b" is scored when a later non-empty bin shows b is not the last.
    int last = -1;
    int present = 0;
    for (int b = 0; b < missing; ++b) {
      const double* bin = hist + b * P;
      if (bin[0] == 0.0) continue;
      if (last >= 0) consider<P>(total, l, r, last, false, out, left_out);
      for (int c = 0; c < P; ++c) l[c] += bin[c];
      last = b;
      ++present;
    }
    if (present + (has_missing ? 1 : 0) <= 1) return;
    out.constant = false;
    out.has_missing = has_missing;
    if (!has_missing) return;
    consider<P>(total, l, r, missing - 1, false, out, left_out);  // every value left, missing right: x <= inf
    std::copy(hist + missing * P, hist + (missing + 1) * P, l);
    for (int b = 0; b < last; ++b) {
      const double* bin = hist + b * P;
      if (bin[0] == 0.0) continue;
      for (int c = 0; c < P; ++c) l[c] += bin[c];
      consider<P>(total, l, r, b, true, out, left_out);
    }
  }

  // A categorical feature (LightGBM's k-category split): the present categories ordered by
  // task_.category_key (G / (H + smoothing)), then the split "the first k of that order go left" for
  // each k, with missing values right, then left. Ordered by G / H, the best of these prefixes is the
  // best of all 2^(categories - 1) partitions for a gain G_L^2/H_L + G_R^2/H_R (Fisher 1958); the
  // smoothing gives that up for rare categories, which it keeps from the ends of the order (fewer
  // splits that fit noise). Ties are ordered by category code (deterministic).
  void scan_categories(const double* total, int missing, detail::Scratch& s, detail::FeatureResult& out,
                       double* left_out) const {
    std::size_t present = 0;
    if (!start_scan(missing, s, out, present)) return;
    const auto S = static_cast<std::size_t>(S_);
    const double* stats = s.run_stats.data();
    s.category_order.resize(present);
    for (std::size_t k = 0; k < present; ++k) s.category_order[k] = {task_.category_key(stats + k * S), static_cast<uint32_t>(k)};
    std::sort(s.category_order.begin(), s.category_order.end());
    for (int pass = 0; pass < (out.has_missing ? 2 : 1); ++pass) {
      const bool missing_left = pass == 1;
      if (missing_left) std::copy(stats + present * S, stats + (present + 1) * S, s.left.begin());
      // With missing values right, all present categories left is a split too (the mirror of missing alone left).
      const std::size_t last = present - (out.has_missing && !missing_left ? 0 : 1);
      for (std::size_t k = 0; k < last; ++k) {
        const double* run = stats + s.category_order[k].second * S;
        for (std::size_t c = 0; c < S; ++c) s.left[c] += run[c];
        consider(total, s, static_cast<int>(k + 1), missing_left, out, left_out);
      }
    }
    if (!(out.score > -std::numeric_limits<double>::infinity())) return;
    // out.bin is the number of categories going left.
    for (std::size_t k = 0; k < static_cast<std::size_t>(out.bin); ++k) {
      const auto code = static_cast<uint32_t>(s.run_bin[s.category_order[k].second]);
      out.left_categories[code >> 5] |= uint32_t{1} << (code & 31);
    }
  }

  // Absolute error: the node's rows ranked by target once (prepare_ranks), then per feature the rows
  // move left run by run and two Fenwick trees give both sides' median deviation.
  void prepare_ranks(const detail::Pending& p) {
    const std::size_t n = p.end - p.begin;
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
    const uint32_t* rows = rows_.data() + p.begin;
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return task_.y[rows[a]] < task_.y[rows[b]]; });
    rank_.resize(n);
    sorted_y_.resize(n);
    sorted_w_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      rank_[order_[k]] = static_cast<uint32_t>(k);
      sorted_y_[k] = task_.y[rows[order_[k]]];
      sorted_w_[k] = task_.weight[rows[order_[k]]];
    }
  }

  void scan_absolute_error(const detail::Pending& p, detail::Scratch& s, int missing, detail::FeatureResult& out,
                           double* left_out) const {
    const std::size_t n = p.end - p.begin;
    const uint32_t* rows = rows_.data() + p.begin;
    if (n == 0 || s.codes[s.order[0]] == s.codes[s.order[n - 1]]) return;
    out.constant = false;
    const bool has_missing = static_cast<int>(s.codes[s.order[n - 1]]) == missing;
    out.has_missing = has_missing;
    std::size_t present = n;
    while (has_missing && present > 0 && static_cast<int>(s.codes[s.order[present - 1]]) == missing) --present;
    s.fenwick.resize(4 * (n + 1));
    detail::MedianTree left(s.fenwick.data(), n);
    detail::MedianTree right(s.fenwick.data() + 2 * (n + 1), n);
    double total_w = 0.0;
    double total_wy = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      right.add(k, sorted_w_[k], sorted_w_[k] * sorted_y_[k]);
      total_w += sorted_w_[k];
      total_wy += sorted_w_[k] * sorted_y_[k];
    }
    double lw = 0.0, lwy = 0.0, lcount = 0.0;
    auto move_left = [&](std::size_t k) {
      const uint32_t i = s.order[k];
      const double w = task_.weight[rows[i]];
      const double wy = w * task_.y[rows[i]];
      left.add(rank_[i], w, wy);
      right.add(rank_[i], -w, -wy);
      lw += w;
      lwy += wy;
      lcount += 1.0;
    };
    auto consider = [&](int bin, bool missing_left) {
      const double rcount = static_cast<double>(n) - lcount;
      const double rw = total_w - lw;
      if (lcount < params_.min_samples_leaf || rcount < params_.min_samples_leaf) return;
      if (!(lw > 0.0 && rw > 0.0) || lw < params_.min_weight_leaf || rw < params_.min_weight_leaf) return;
      const double dl = left.deviation(sorted_y_.data(), sorted_w_.data(), lw, lwy);
      const double dr = right.deviation(sorted_y_.data(), sorted_w_.data(), rw, total_wy - lwy);
      if (-(dl + dr) > out.score) {
        out.score = -(dl + dr);
        out.bin = bin;
        out.missing_left = missing_left;
        out.impurity_left = dl / lw;
        out.impurity_right = dr / rw;
        left_out[0] = lcount;
        left_out[1] = lw;
      }
    };
    auto sweep = [&](bool missing_left) {
      for (std::size_t k = 0; k < present; ++k) {
        move_left(k);
        const bool boundary = k + 1 == present || s.codes[s.order[k + 1]] != s.codes[s.order[k]];
        if (!boundary) continue;
        if (k + 1 < present) consider(static_cast<int>(s.codes[s.order[k]]), missing_left);
        else if (has_missing && !missing_left) consider(missing - 1, false);
      }
    };
    sweep(false);
    if (!has_missing) return;
    // Reset: everything right, then the missing rows left.
    left = detail::MedianTree(s.fenwick.data(), n);
    right = detail::MedianTree(s.fenwick.data() + 2 * (n + 1), n);
    for (std::size_t k = 0; k < n; ++k) right.add(k, sorted_w_[k], sorted_w_[k] * sorted_y_[k]);
    lw = lwy = lcount = 0.0;
    for (std::size_t k = present; k < n; ++k) move_left(k);
    sweep(true);
  }

  // Applies p's split: partitions its rows (stably), creates both children and searches their splits.
  // A child that will not split comes back with empty stats.
  void split(detail::Pending& p, detail::Pending (&children)[2]) {
    const detail::Candidate& c = p.split;
    const FeatureBins& fb = bins_.features[static_cast<std::size_t>(c.feature)];
    const Code* column = bins_.template column<Code>(static_cast<std::size_t>(c.feature));
    const auto missing = static_cast<uint32_t>(fb.missing_bin());
    const bool missing_left = c.result.missing_left;
    if (fb.categorical) {
      // Codes are below 256 (max_bins <= 255 plus the missing bin), inside the set's words; the copy
      // also names the missing bin's side, so one bit test decides every row.
      auto set = c.result.left_categories;
      set[missing >> 5] = (set[missing >> 5] & ~(1u << (missing & 31))) | (uint32_t{missing_left} << (missing & 31));
      split_by(p, children, [set, column](uint32_t r) {
        const uint32_t code = column[r];
        return ((set[code >> 5] >> (code & 31)) & 1) != 0;
      });
    } else {
      // Bitwise, not short-circuit: a branch here is a coin flip per row.
      const auto bin = static_cast<uint32_t>(c.result.bin);
      split_by(p, children, [bin, missing, missing_left, column](uint32_t r) {
        const uint32_t code = column[r];
        return (code <= bin) | ((code == missing) & missing_left);
      });
    }
  }

  template <class GoesLeft>
  void split_by(detail::Pending& p, detail::Pending (&children)[2], const GoesLeft& goes_left) {
    const detail::Candidate& c = p.split;
    const FeatureBins& fb = bins_.features[static_cast<std::size_t>(c.feature)];
    const Code* column = bins_.template column<Code>(static_cast<std::size_t>(c.feature));
    // Stable partition in blocks, one test per row: each block writes its left rows forward and its
    // right rows backward into its own range of tmp_, then both go to their final places in order.
    const std::size_t n = p.end - p.begin;
    const std::size_t blocks = task_count(n, detail::kPartitionRows);
    const ExecContext work = detail::quiet(ctx_, n);
    block_left_.assign(blocks + 1, 0);
    tmp_.resize(n);
    parallel_for(work, blocks, [&](std::size_t b) {
      // Local copies: the stores below cannot alias the test's values or the pointers.
      const GoesLeft test = goes_left;
      const uint32_t* __restrict in = rows_.data() + p.begin;
      uint32_t* __restrict staged = tmp_.data();
      const std::size_t start = task_start(n, blocks, b);
      const std::size_t end = task_start(n, blocks, b + 1);
      std::size_t l = start;
      std::size_t r = end;
      constexpr std::size_t ahead = 16;  // scattered rows' codes are cache misses: fetch them ahead
      for (std::size_t i = start; i < end; ++i) {
        if (i + ahead < end) __builtin_prefetch(column + in[i + ahead]);
        const uint32_t row = in[i];
        // Branch-free (l < r here): both places written, one kept; arithmetic, not a branch, on the side.
        const std::size_t left = test(row) ? 1 : 0;
        staged[l] = row;
        staged[r - 1] = row;
        l += left;
        r -= 1 - left;
      }
      block_left_[b + 1] = l - start;
    });
    for (std::size_t b = 0; b < blocks; ++b) block_left_[b + 1] += block_left_[b];
    const std::size_t n_left_total = block_left_[blocks];
    parallel_for(work, blocks, [&](std::size_t b) {
      const std::size_t start = task_start(n, blocks, b);
      const std::size_t end = task_start(n, blocks, b + 1);
      const std::size_t lefts = block_left_[b + 1] - block_left_[b];
      uint32_t* out = rows_.data() + p.begin;
      std::copy(tmp_.begin() + static_cast<std::ptrdiff_t>(start), tmp_.begin() + static_cast<std::ptrdiff_t>(start + lefts),
                out + block_left_[b]);
      // Right rows before this block: start - block_left_[b]; this block's are stored reversed.
      std::reverse_copy(tmp_.begin() + static_cast<std::ptrdiff_t>(start + lefts), tmp_.begin() + static_cast<std::ptrdiff_t>(end),
                        out + n_left_total + start - block_left_[b]);
    });
    const std::size_t mid = p.begin + n_left_total;
    const std::size_t n_left = mid - p.begin;
    const std::size_t n_right = p.end - mid;
    // Without missing values here, a NaN at prediction follows the bigger child (scikit-learn >= 1.3).
    const bool nan_left = c.result.has_missing ? c.result.missing_left : n_left >= n_right;
    for (int side = 0; side < 2; ++side) {
      detail::Pending& child = children[side];
      child.begin = side == 0 ? p.begin : mid;
      child.end = side == 0 ? mid : p.end;
      child.depth = p.depth + 1;
      child.stats = c.left;
      if (side == 1)
        for (int k = 0; k < S_; ++k) child.stats[static_cast<std::size_t>(k)] = p.stats[static_cast<std::size_t>(k)] - c.left[static_cast<std::size_t>(k)];
      child.features = p.features;
      child.id = add_node(child);
    }
    if (fb.categorical)
      tree_.split_categories(p.id, c.feature, c.result.left_categories.data(), nan_left, children[0].id, children[1].id);
    else
      tree_.split_node(p.id, c.feature, fb.threshold(c.result.bin), nan_left, children[0].id, children[1].id);
    const bool can_split[2] = {!last_split_ && splittable(children[0]), !last_split_ && splittable(children[1])};
    const int small = n_left <= n_right ? 0 : 1;
    if (!p.hist.empty() && can_split[1 - small] && keeps_histogram(std::max(n_left, n_right)) && kept_ < max_kept_) {
      // The smaller child's histograms by a pass over its rows, the larger's by subtraction.
      detail::Pending& s = children[small];
      keep_histogram(s);
      build_histograms(rows_.data() + s.begin, s.end - s.begin, s.features, s.hist.data());
      parallel_for(detail::quiet(ctx_, offsets_.back()), s.features.size(), [&](std::size_t i) {
        const auto g = static_cast<std::size_t>(s.features[i]);
        for (std::size_t k = offsets_[g]; k < offsets_[g + 1]; ++k) p.hist[k] -= s.hist[k];
      });
      std::swap(children[1 - small].hist, p.hist);
    } else {
      drop_histogram(p);
    }
    for (int side = 0; side < 2; ++side) {
      detail::Pending& child = children[side];
      if (can_split[side] && evaluate_child(child)) continue;
      finish_leaf(child);
      child.stats.clear();
    }
  }

  bool evaluate_child(detail::Pending& child) {
    const bool ok = evaluate(child);
    if (!ok) drop_histogram(child);
    return ok;
  }

  // Gives p a histogram buffer for every feature (a spare one when there is one; contents are
  // overwritten for the features p searches, the only ones ever read).
  void keep_histogram(detail::Pending& p) {
    if (spare_histograms_.empty()) {
      p.hist.resize(offsets_.back());
    } else {
      p.hist = std::move(spare_histograms_.back());
      spare_histograms_.pop_back();
    }
    ++kept_;
  }

  void drop_histogram(detail::Pending& p) {
    if (p.hist.empty()) return;
    --kept_;
    spare_histograms_.push_back(std::move(p.hist));
    p.hist = {};
  }

  const BinnedMatrix& bins_;
  const Task& task_;
  std::vector<uint32_t> rows_;
  const GrowParams& params_;
  Rng& rng_;
  ExecContext ctx_;
  const int S_;
  Tree tree_;
  std::vector<std::size_t> offsets_;  // start of each feature's histogram in a node's kept histograms
  bool subtract_ = false;
  bool last_split_ = false;
  std::size_t kept_ = 0;
  std::size_t max_kept_ = 0;
  double mean_codes_ = 0.0;
  double root_weight_ = 0.0;
  std::size_t leaf_rows_ = 0;
  std::vector<detail::FeatureResult> results_;
  std::vector<double> lefts_;
  std::vector<uint32_t>& tmp_;
  std::vector<std::size_t> block_left_;
  AlignedVector<double>& partials_;  // row tasks 1.. of build_histograms
  std::vector<AlignedVector<double>>& spare_histograms_;
  std::vector<detail::HistSlot> slots_;  // build_histograms_by_row: the listed dense features by row group
  std::vector<std::size_t> slot_offsets_;  // their histograms' offsets, contiguous for the kernel
  std::vector<std::size_t> sparse_listed_;  // and the listed sparse ones
  std::vector<double> totals_;              // and per row task, its rows' totals
  std::vector<Partition::Leaf> leaves_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> rank_;
  std::vector<double> sorted_y_;
  std::vector<double> sorted_w_;
};

// Grows one tree on `rows` (ascending row indices of `bins`, each with its statistics in `task`);
// `partition`, when given, receives the rows by leaf; `buffers`, when given, lends the tree memory
// left by earlier trees on the same bins.
template <class Task, class Code>
Tree grow_tree(const BinnedMatrix& bins, const Task& task, std::vector<uint32_t> rows, const GrowParams& params,
               Rng& rng, const ExecContext& ctx, Partition* partition = nullptr, GrowBuffers* buffers = nullptr) {
  GrowBuffers own;
  Grower<Task, Code> grower(bins, task, std::move(rows), params, rng, ctx, buffers != nullptr ? *buffers : own);
  Tree tree = grower.grow();
  if (partition != nullptr) *partition = grower.take_partition();
  return tree;
}

}  // namespace threadml::tree
