#include "tree/binning.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "core/status.h"

namespace threadml::tree {

namespace {

// Features per binning task: eight adjacent columns share the cache lines of a row.
constexpr std::size_t kFeatureBlock = 8;

// A threshold between two distinct values a < b that sends a left and b right (as scikit-learn's
// midpoint, falling back to a when rounding would reach b).
double midpoint(double a, double b) {
  const double mid = a / 2.0 + b / 2.0;
  return (mid >= b || !std::isfinite(mid)) ? a : mid;
}

// The distinct values of a sample with their counts, ascending. Features with few distinct values
// (pixels, categories, counts) are counted in a small hash table in O(n); others are sorted.
void distinct_values(std::vector<double>& values, std::vector<double>& distinct, std::vector<std::size_t>& counts) {
  constexpr std::size_t kSlots = 2048;  // open addressing, at most half full
  std::vector<double> keys(kSlots);
  std::vector<std::size_t> hits(kSlots, 0);
  std::size_t used = 0;
  bool small = true;
  for (double v : values) {
    if (v == 0.0) v = 0.0;  // -0 and +0 are one value
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    std::size_t slot = static_cast<std::size_t>((bits * 0x9e3779b97f4a7c15ULL) >> 53);
    while (hits[slot] != 0 && keys[slot] != v) slot = (slot + 1) & (kSlots - 1);
    if (hits[slot]++ == 0) {
      keys[slot] = v;
      if (++used > kSlots / 2) {
        small = false;
        break;
      }
    }
  }
  distinct.clear();
  counts.clear();
  if (small) {
    std::vector<std::pair<double, std::size_t>> found;
    for (std::size_t i = 0; i < kSlots; ++i)
      if (hits[i] != 0) found.emplace_back(keys[i], hits[i]);
    std::sort(found.begin(), found.end());
    for (const auto& [v, c] : found) {
      distinct.push_back(v);
      counts.push_back(c);
    }
    return;
  }
  std::sort(values.begin(), values.end());
  for (double v : values) {
    if (!distinct.empty() && distinct.back() == v) {
      ++counts.back();
    } else {
      distinct.push_back(v);
      counts.push_back(1);
    }
  }
}

// Upper bin edges for one feature from its non-missing sample.
std::vector<double> bin_edges(std::vector<double>& values, int max_bins) {
  std::vector<double> distinct;
  std::vector<std::size_t> counts;
  distinct_values(values, distinct, counts);
  std::vector<double> edges;
  if (distinct.size() <= 1) return edges;
  if (max_bins == 0 || distinct.size() <= static_cast<std::size_t>(max_bins)) {
    edges.reserve(distinct.size() - 1);
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i) edges.push_back(midpoint(distinct[i], distinct[i + 1]));
    return edges;
  }
  // Greedy equal-frequency bins; a value holding a bin's share or more gets a bin of its own, so heavy
  // ties (a pixel that is mostly 0) do not swallow their neighbours.
  double remaining = static_cast<double>(values.size());
  int bins_left = max_bins;
  double target = remaining / bins_left;
  double current = 0.0;
  for (std::size_t i = 0; i + 1 < distinct.size() && bins_left > 1; ++i) {
    current += static_cast<double>(counts[i]);
    if (current >= target || static_cast<double>(counts[i + 1]) >= target) {
      edges.push_back(midpoint(distinct[i], distinct[i + 1]));
      remaining -= current;
      current = 0.0;
      --bins_left;
      target = remaining / bins_left;
    }
  }
  return edges;
}

// A categorical column's edges: one bin per code up to the largest code in any row (not only the
// sample, so every code has its bin).
template <class T>
std::vector<double> category_edges(const T* X, std::size_t rows, std::size_t cols, std::size_t j, int max_bins) {
  double largest = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    const double x = static_cast<double>(X[i * cols + j]);
    if (std::isnan(x)) continue;
    if (!(x >= 0.0 && x < max_bins && x == std::floor(x)))
      throw_range("Expected category codes (integers from 0 to " + std::to_string(max_bins - 1) +
                  ") in categorical column " + std::to_string(j) + " but row " + std::to_string(i) + " holds " +
                  std::to_string(x));
    largest = std::max(largest, x);
  }
  std::vector<double> edges(static_cast<std::size_t>(largest));
  for (std::size_t c = 0; c < edges.size(); ++c) edges[c] = static_cast<double>(c) + 0.5;
  return edges;
}

// The bin of a non-missing value: the number of edges below it (branch-free lower bound).
inline uint32_t code_of(const double* edges, std::size_t n, double x) {
  const double* first = edges;
  while (n > 1) {
    const std::size_t half = n / 2;
    // A mask, not ?: which the compiler turned into a branch mispredicted every other step.
    first += half & (std::size_t{0} - static_cast<std::size_t>(first[half - 1] < x));
    n -= half;
  }
  return static_cast<uint32_t>(first - edges) + static_cast<uint32_t>(n == 1 && *first < x);
}

// Rows per coding tile: a block's columns share each row's cache line, so the tile's lines stay in
// cache while each of the block's features is coded from them (one read of X, not one per feature).
constexpr std::size_t kCodeTile = 512;

template <class T, class Code>
void code_block(const T* X, std::size_t rows, std::size_t cols, std::size_t j0, std::size_t j1, BinnedMatrix& out) {
  bool has_missing[kFeatureBlock] = {};
  for (std::size_t i0 = 0; i0 < rows; i0 += kCodeTile) {
    const std::size_t i1 = std::min(rows, i0 + kCodeTile);
    for (std::size_t j = j0; j < j1; ++j) {
      const FeatureBins& bins = out.features[j];
      const double* edges = bins.edges.data();
      const std::size_t n_edges = bins.edges.size();
      const Code missing = static_cast<Code>(bins.missing_bin());
      Code* column = out.column<Code>(j);
      bool seen = false;
      for (std::size_t i = i0; i < i1; ++i) {
        const double x = static_cast<double>(X[i * cols + j]);
        const bool nan = std::isnan(x);
        seen = seen || nan;
        column[i] = nan ? missing : static_cast<Code>(code_of(edges, n_edges, x));
      }
      has_missing[j - j0] = has_missing[j - j0] || seen;
    }
  }
  for (std::size_t j = j0; j < j1; ++j) out.features[j].has_missing = has_missing[j - j0];
}

}  // namespace

template <class T>
BinnedMatrix bin_matrix(const T* X, std::size_t rows, std::size_t cols, const BinningParams& params,
                        const ExecContext& ctx) {
  BinnedMatrix out;
  out.rows = rows;
  out.cols = cols;
  out.features.resize(cols);
  const std::size_t step = params.max_bins == 0 || rows <= params.sample_rows
                               ? 1
                               : (rows + params.sample_rows - 1) / params.sample_rows;
  const std::size_t blocks = task_count(cols, kFeatureBlock);
  const ExecContext work = ctx.for_work(rows * cols, 1 << 16);
  parallel_for(work.pass(0, 2), blocks, [&](std::size_t block) {
    const std::size_t j0 = block * kFeatureBlock;
    const std::size_t j1 = std::min(cols, j0 + kFeatureBlock);
    std::vector<std::vector<double>> samples(j1 - j0);
    for (auto& s : samples) s.reserve(rows / step + 1);
    for (std::size_t i = 0; i < rows; i += step)
      for (std::size_t j = j0; j < j1; ++j) {
        const double x = static_cast<double>(X[i * cols + j]);
        if (!std::isnan(x)) samples[j - j0].push_back(x);
      }
    for (std::size_t j = j0; j < j1; ++j) {
      FeatureBins& f = out.features[j];
      f.categorical = j < params.categorical.size() && params.categorical[j] != 0;
      f.edges = f.categorical ? category_edges(X, rows, cols, j, params.max_bins) : bin_edges(samples[j - j0], params.max_bins);
    }
  });
  int most_codes = 1;
  for (const FeatureBins& f : out.features) most_codes = std::max(most_codes, f.n_bins() + 1);
  out.width = most_codes <= 256 ? CodeWidth::U8 : most_codes <= 65536 ? CodeWidth::U16 : CodeWidth::U32;
  out.allocate();
  with_code_type(out.width, [&](auto code) {
    using Code = decltype(code);
    parallel_for(work.pass(1, 2), blocks, [&](std::size_t block) {
      const std::size_t j0 = block * kFeatureBlock;
      code_block<T, Code>(X, rows, cols, j0, std::min(cols, j0 + kFeatureBlock), out);
    });
  });
  return out;
}

void BinnedMatrix::build_row_major(const ExecContext& ctx) {
  row_groups_.clear();
  sparse_features_.clear();
  if (width != CodeWidth::U8 || rows == 0 || cols == 0) return;
  const ExecContext work = ctx.for_work(rows * cols, 1 << 16);
  // Each feature's most frequent code.
  default_code_.assign(cols, -1);
  std::vector<std::size_t> default_count(cols, 0);
  parallel_for(work, cols, [&](std::size_t f) {
    std::size_t counts[256] = {};
    const uint8_t* column = this->column<uint8_t>(f);
    for (std::size_t i = 0; i < rows; ++i) ++counts[column[i]];
    const std::size_t* top = std::max_element(counts, counts + 256);
    default_code_[f] = static_cast<int>(top - counts);
    default_count[f] = *top;
  });
  std::vector<int32_t> dense;
  for (std::size_t f = 0; f < cols; ++f) {
    if (static_cast<double>(default_count[f]) >= kSparseShare * static_cast<double>(rows)) sparse_features_.push_back(static_cast<int32_t>(f));
    else dense.push_back(static_cast<int32_t>(f));
  }
  // Dense features: row groups of equal size.
  group_of_.assign(cols, -1);
  pos_of_.assign(cols, 0);
  const std::size_t groups = task_count(dense.size(), kRowGroupCols);
  const std::size_t size = groups == 0 ? 0 : task_count(dense.size(), groups);
  std::size_t total = 0;
  for (std::size_t first = 0; first < dense.size(); first += size) {
    RowGroup g;
    g.cols = std::min(size, dense.size() - first);
    g.stride = 1;
    while (g.stride < g.cols) g.stride *= 2;
    for (std::size_t j = 0; j < g.cols; ++j) {
      group_of_[static_cast<std::size_t>(dense[first + j])] = static_cast<int32_t>(row_groups_.size());
      pos_of_[static_cast<std::size_t>(dense[first + j])] = j;
    }
    row_groups_.push_back(g);
    total += rows * g.stride;
  }
  constexpr std::size_t kLine = 64;
  row_codes_.assign(total + kLine, 0);
  const auto address = reinterpret_cast<std::uintptr_t>(row_codes_.data());
  std::size_t offset = (kLine - address % kLine) % kLine;  // rows start on cache lines
  for (RowGroup& g : row_groups_) {
    g.offset = offset;
    offset += rows * g.stride;
  }
  // Transposed in tiles of rows: each task reads its rows of its columns once.
  const std::size_t tiles = task_count(rows, kCodeTile);
  parallel_for(work, tiles * row_groups_.size(), [&](std::size_t task) {
    const std::size_t gi = task % row_groups_.size();
    const RowGroup& g = row_groups_[gi];
    const std::size_t i0 = task / row_groups_.size() * kCodeTile;
    const std::size_t i1 = std::min(rows, i0 + kCodeTile);
    uint8_t* out = row_codes_.data() + g.offset;
    for (std::size_t j = 0; j < g.cols; ++j) {
      const uint8_t* column = this->column<uint8_t>(static_cast<std::size_t>(dense[gi * size + j]));
      for (std::size_t i = i0; i < i1; ++i) out[i * g.stride + j] = column[i];
    }
  });
  // Sparse features: per row its codes other than the most frequent, counted then written per tile.
  sparse_start_.clear();
  sparse_bins_.clear();
  if (sparse_features_.empty()) return;
  std::vector<uint32_t> first_bin(cols + 1, 0);
  for (std::size_t f = 0; f < cols; ++f) first_bin[f + 1] = first_bin[f] + static_cast<uint32_t>(features[f].n_bins() + 1);
  sparse_start_.assign(rows + 1, 0);
  parallel_for(work, tiles, [&](std::size_t tile) {
    const std::size_t i1 = std::min(rows, (tile + 1) * kCodeTile);
    for (int32_t f : sparse_features_) {
      const uint8_t* column = this->column<uint8_t>(static_cast<std::size_t>(f));
      const int d = default_code_[static_cast<std::size_t>(f)];
      for (std::size_t i = tile * kCodeTile; i < i1; ++i) sparse_start_[i + 1] += column[i] != d ? 1 : 0;
    }
  });
  for (std::size_t i = 0; i < rows; ++i) sparse_start_[i + 1] += sparse_start_[i];
  sparse_bins_.resize(sparse_start_[rows]);
  parallel_for(work, tiles, [&](std::size_t tile) {
    const std::size_t i0 = tile * kCodeTile;
    const std::size_t i1 = std::min(rows, i0 + kCodeTile);
    std::vector<uint64_t> next(sparse_start_.begin() + static_cast<std::ptrdiff_t>(i0), sparse_start_.begin() + static_cast<std::ptrdiff_t>(i1));
    for (int32_t f : sparse_features_) {
      const uint8_t* column = this->column<uint8_t>(static_cast<std::size_t>(f));
      const int d = default_code_[static_cast<std::size_t>(f)];
      for (std::size_t i = i0; i < i1; ++i)
        if (column[i] != d) sparse_bins_[next[i - i0]++] = first_bin[static_cast<std::size_t>(f)] + column[i];
    }
  });
}

template BinnedMatrix bin_matrix<float>(const float*, std::size_t, std::size_t, const BinningParams&,
                                        const ExecContext&);
template BinnedMatrix bin_matrix<double>(const double*, std::size_t, std::size_t, const BinningParams&,
                                         const ExecContext&);

}  // namespace threadml::tree
