// Feature binning shared by the decision trees, the forests and gradient boosting.
//
// Every feature's values map to small integer codes ("bins"), stored column-wise so a node's
// histogram for one feature streams one column. Bin b holds the values x with
// edges[b - 1] < x <= edges[b]; NaN gets its own bin, n_bins(), the last one. A split "code <= b"
// is therefore exactly the split "x <= edges[b]" on the raw values, which is what the fitted tree
// stores: prediction never needs the bins. A categorical feature has one bin per category code
// (its edges are the half-integers between codes, so code c lands in bin c) and splits on sets of bins.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/parallel.h"

namespace threadml::tree {

struct FeatureBins {
  std::vector<double> edges;  // ascending upper bounds of bins 0 .. n_bins() - 2
  bool has_missing = false;   // NaN seen while binning
  bool categorical = false;   // bin b is category code b

  int n_bins() const noexcept { return static_cast<int>(edges.size()) + 1; }  // non-missing bins
  int missing_bin() const noexcept { return n_bins(); }
  // The raw-value threshold of the split "code <= bin"; the last bin keeps every non-missing value left.
  double threshold(int bin) const noexcept {
    return bin < static_cast<int>(edges.size()) ? edges[static_cast<std::size_t>(bin)]
                                                 : std::numeric_limits<double>::infinity();
  }
  // Splittable at all: two non-missing bins, or one plus missing values.
  bool informative() const noexcept { return n_bins() > 1 || has_missing; }
};

// Code width: the narrowest unsigned type holding every feature's codes 0 .. n_bins() (missing included).
enum class CodeWidth { U8 = 1, U16 = 2, U32 = 4 };

class BinnedMatrix {
 public:
  std::size_t rows = 0;
  std::size_t cols = 0;
  CodeWidth width = CodeWidth::U8;
  std::vector<FeatureBins> features;

  template <class Code>
  const Code* column(std::size_t feature) const noexcept {
    return reinterpret_cast<const Code*>(codes_.data()) + feature * rows;
  }
  template <class Code>
  Code* column(std::size_t feature) noexcept {
    return reinterpret_cast<Code*>(codes_.data()) + feature * rows;
  }
  void allocate() { codes_.assign(rows * cols * static_cast<std::size_t>(width) / sizeof(uint32_t) + 1, 0); }

  // A row-major copy of byte codes, for histograms of nodes whose rows are scattered: column-wise,
  // each feature of a row is its own cache miss; here a row's codes of one group of columns share a
  // cache line. Groups of at most kRowGroupCols columns keep a group's histograms in cache.
  // Features whose most frequent code holds at least kSparseShare of the rows (pixels mostly 0) are
  // kept sparse instead, LightGBM-style: per row only its other codes, as flat histogram bins; a
  // histogram's most frequent bin is then the node's total minus its other bins.
  struct RowGroup {
    std::size_t cols = 0;
    std::size_t stride = 0;  // bytes per row: a power of two >= cols, so no row straddles a cache line
    std::size_t offset = 0;  // of its rows x stride codes in the copy
  };
  static constexpr std::size_t kRowGroupCols = 64;
  static constexpr double kSparseShare = 0.5;
  // Builds the copy (byte codes only; otherwise row_groups() and sparse_features() stay empty).
  void build_row_major(const ExecContext& ctx);
  const std::vector<RowGroup>& row_groups() const noexcept { return row_groups_; }
  const uint8_t* row_codes(const RowGroup& g) const noexcept { return row_codes_.data() + g.offset; }
  // Per feature: its row group and byte in the group's rows; group -1 for a sparse feature.
  int32_t row_group_of(std::size_t feature) const noexcept { return group_of_[feature]; }
  std::size_t row_pos_of(std::size_t feature) const noexcept { return pos_of_[feature]; }
  // Sparse features and their most frequent code; row r's other codes of them are the flat bins
  // sparse_bins()[sparse_start()[r] .. sparse_start()[r + 1]), a flat bin being the feature's first
  // bin (codes 0 .. n_bins() of every earlier feature before it) plus the code.
  const std::vector<int32_t>& sparse_features() const noexcept { return sparse_features_; }
  int default_code(std::size_t feature) const noexcept { return default_code_[feature]; }
  const uint64_t* sparse_start() const noexcept { return sparse_start_.data(); }
  const uint32_t* sparse_bins() const noexcept { return sparse_bins_.data(); }

 private:
  std::vector<uint32_t> codes_;  // uint32 storage keeps every code width aligned
  std::vector<uint8_t> row_codes_;
  std::vector<RowGroup> row_groups_;
  std::vector<int32_t> group_of_;
  std::vector<std::size_t> pos_of_;
  std::vector<int32_t> sparse_features_;
  std::vector<int> default_code_;
  std::vector<uint64_t> sparse_start_;
  std::vector<uint32_t> sparse_bins_;
};

struct BinningParams {
  // At most this many non-missing bins per feature (2 .. 255 keeps codes in uint8); 0 bins exactly:
  // one bin per distinct value, so histogram splits equal the exact (sorted) splits.
  int max_bins = 255;
  // Quantiles come from at most this many rows (evenly spaced); all rows are coded.
  std::size_t sample_rows = 200000;
  // Per column, 1 for a categorical feature: values are integer codes 0 .. max_bins - 1 (or NaN). Empty: none.
  std::vector<uint8_t> categorical;
};

// Bins a row-major rows x cols matrix. Parallel over feature blocks; the result does not depend on threads.
// Throws a RangeError naming the column when a categorical value is not a code below max_bins.
template <class T>
BinnedMatrix bin_matrix(const T* X, std::size_t rows, std::size_t cols, const BinningParams& params,
                        const ExecContext& ctx);

// Dispatches on the code width: f(Code{}) with Code = uint8_t, uint16_t or uint32_t.
template <class F>
decltype(auto) with_code_type(CodeWidth width, F&& f) {
  switch (width) {
    case CodeWidth::U8: return f(uint8_t{});
    case CodeWidth::U16: return f(uint16_t{});
    default: return f(uint32_t{});
  }
}

}  // namespace threadml::tree
