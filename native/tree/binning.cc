#include "tree/binning.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "core/status.h"

namespace threadml::tree {

namespace {

// Features per coding task: eight adjacent columns share the cache lines of a row.
constexpr std::size_t kFeatureBlock = 8;

// A threshold between two distinct values a < b that sends a left and b right (as scikit-learn's
// midpoint, falling back to a when rounding would reach b).
double midpoint(double a, double b) {
  const double mid = a / 2.0 + b / 2.0;
  return (mid >= b || !std::isfinite(mid)) ? a : mid;
}

// Sorts doubles (no NaN) ascending: LSD radix sort on their bits mapped to ordered integers, 6 passes
// of 11 bits; several times faster than a comparison sort on a quantile sample. -0 sorts before +0.
void radix_sort(std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 2) return;
  std::vector<uint64_t> keys(n);
  std::vector<uint64_t> swap(n);
  for (std::size_t i = 0; i < n; ++i) {
    uint64_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    // Negative values: all bits flipped (reversing their order); positive: the sign bit set.
    keys[i] = bits ^ ((bits >> 63) != 0 ? ~uint64_t{0} : uint64_t{1} << 63);
  }
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::size_t> start(kBuckets);
  for (int shift = 0; shift < 64; shift += kBits) {
    std::fill(start.begin(), start.end(), 0);
    for (uint64_t k : keys) ++start[(k >> shift) & (kBuckets - 1)];
    if (start[(keys[0] >> shift) & (kBuckets - 1)] == n) continue;  // one digit value: nothing moves
    std::size_t sum = 0;
    for (std::size_t& s : start) {
      const std::size_t count = s;
      s = sum;
      sum += count;
    }
    for (uint64_t k : keys) swap[start[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(swap);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t bits = keys[i] ^ ((keys[i] >> 63) != 0 ? uint64_t{1} << 63 : ~uint64_t{0});
    std::memcpy(&values[i], &bits, sizeof bits);
  }
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
  radix_sort(values);
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

// Codes values into bins in groups of kSearchLanes: each value's bin is the number of edges below
// it, found by a branch-free lower bound. The group's searches step together, so their dependent
// loads overlap instead of waiting one after another.
constexpr std::size_t kSearchLanes = 8;

template <class Code>
void code_values(const double* edges, std::size_t n_edges, const double* x, std::size_t count, Code missing,
                 Code* out) {
  for (std::size_t i0 = 0; i0 < count; i0 += kSearchLanes) {
    const std::size_t lanes = std::min(kSearchLanes, count - i0);
    std::size_t first[kSearchLanes] = {};
    std::size_t n = n_edges;
    while (n > 1) {
      const std::size_t half = n / 2;
      // A mask, not ?: which the compiler turned into a branch mispredicted every other step.
      for (std::size_t l = 0; l < lanes; ++l)
        first[l] += half & (std::size_t{0} - static_cast<std::size_t>(edges[first[l] + half - 1] < x[i0 + l]));
      n -= half;
    }
    for (std::size_t l = 0; l < lanes; ++l) {
      const double v = x[i0 + l];
      const std::size_t code = first[l] + static_cast<std::size_t>(n == 1 && edges[first[l]] < v);
      out[i0 + l] = std::isnan(v) ? missing : static_cast<Code>(code);
    }
  }
}

// Rows per coding tile: a block's columns share each row's cache line, so the tile's lines stay in
// cache while each of the block's features is coded from them (one read of X, not one per feature).
constexpr std::size_t kCodeTile = 512;

// Rows per coding task: tasks are row slabs x feature blocks, so two threads share any column count.
constexpr std::size_t kCodeSlab = std::size_t{1} << 16;

// Codes rows [r0, r1) of columns [j0, j1); `missing[j - j0]` is set when a NaN is seen.
template <class T, class Code>
void code_block(const T* X, std::size_t r0, std::size_t r1, std::size_t cols, std::size_t j0, std::size_t j1,
                BinnedMatrix& out, uint8_t* missing) {
  double values[kCodeTile];
  for (std::size_t i0 = r0; i0 < r1; i0 += kCodeTile) {
    const std::size_t i1 = std::min(r1, i0 + kCodeTile);
    for (std::size_t j = j0; j < j1; ++j) {
      const FeatureBins& bins = out.features[j];
      bool seen = false;
      for (std::size_t i = i0; i < i1; ++i) {
        values[i - i0] = static_cast<double>(X[i * cols + j]);
        seen = seen || std::isnan(values[i - i0]);
      }
      code_values(bins.edges.data(), bins.edges.size(), values, i1 - i0, static_cast<Code>(bins.missing_bin()),
                  out.column<Code>(j) + i0);
      missing[j - j0] |= seen ? 1 : 0;
    }
  }
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
  parallel_for(work.pass(0, 2), cols, [&](std::size_t j) {
    FeatureBins& f = out.features[j];
    f.categorical = j < params.categorical.size() && params.categorical[j] != 0;
    if (f.categorical) {
      f.edges = category_edges(X, rows, cols, j, params.max_bins);
      return;
    }
    std::vector<double> sample;
    sample.reserve(rows / step + 1);
    for (std::size_t i = 0; i < rows; i += step) {
      const double x = static_cast<double>(X[i * cols + j]);
      if (!std::isnan(x)) sample.push_back(x);
    }
    f.edges = bin_edges(sample, params.max_bins);
  });
  int most_codes = 1;
  for (const FeatureBins& f : out.features) most_codes = std::max(most_codes, f.n_bins() + 1);
  out.width = most_codes <= 256 ? CodeWidth::U8 : most_codes <= 65536 ? CodeWidth::U16 : CodeWidth::U32;
  out.allocate();
  const std::size_t slabs = task_count(rows, kCodeSlab);
  std::vector<uint8_t> missing(slabs * cols, 0);  // per slab and column: a NaN seen
  with_code_type(out.width, [&](auto code) {
    using Code = decltype(code);
    parallel_for(work.pass(1, 2), slabs * blocks, [&](std::size_t task) {
      const std::size_t slab = task / blocks;
      const std::size_t j0 = task % blocks * kFeatureBlock;
      code_block<T, Code>(X, slab * kCodeSlab, std::min(rows, (slab + 1) * kCodeSlab), cols, j0,
                          std::min(cols, j0 + kFeatureBlock), out, missing.data() + slab * cols + j0);
    });
  });
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t slab = 0; slab < slabs; ++slab) out.features[j].has_missing |= missing[slab * cols + j] != 0;
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
