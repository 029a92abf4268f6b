#include "preprocess/column_stats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>

#include "preprocess/common.h"

namespace threadml::preprocess {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs body(j, values, n) for every column j with its n values that are not NaN, in parallel over
// groups of adjacent columns: one strided sweep over the rows reads whole cache lines for a group.
// values may be reordered by body. Memory: one group's columns (kGroup x rows doubles) per thread.
template <class T, class Body>
void for_each_column(const T* x, std::size_t rows, std::size_t cols, bool allow_nan, const ExecContext& ctx, Body body) {
  constexpr std::size_t kGroup = 8;
  constexpr std::size_t kRowsPerPoll = 1 << 16;
  std::atomic<bool> invalid{false};
  parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), task_count(cols, kGroup), [&](std::size_t task) {
    const std::size_t c0 = task * kGroup, width = std::min(cols, c0 + kGroup) - c0;
    const std::unique_ptr<double[]> buffer(new double[width * rows]);
    std::size_t n[kGroup] = {};
    bool bad = false;
    for (std::size_t r = 0; r < rows; ++r) {
      if (r % kRowsPerPoll == 0) ctx.check_cancelled();
      const T* row = x + r * cols + c0;
      for (std::size_t k = 0; k < width; ++k) {
        const double v = static_cast<double>(row[k]);
        bad |= allow_nan ? refused<true>(v) : refused<false>(v);
        buffer[k * rows + n[k]] = v;
        n[k] += v == v ? 1 : 0;
      }
    }
    if (bad) {
      invalid.store(true, std::memory_order_relaxed);
      return;
    }
    for (std::size_t k = 0; k < width; ++k) body(c0 + k, buffer.get() + k * rows, n[k]);
  });
  if (invalid.load()) reject_refused(x, rows, cols, allow_nan, ctx);
}

// NumPy's _lerp: exact at both ends, and symmetric in how it rounds.
double lerp(double a, double b, double t) {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

// Partially orders v[0..n) so that v[rank] is in its sorted place for every requested rank
// (ascending, below n), each selection working only on what lies beyond the previous rank.
void select_ranks(double* v, std::size_t n, const std::vector<std::size_t>& ranks) {
  std::size_t from = 0;
  for (const std::size_t rank : ranks) {
    if (rank < from) continue;
    std::nth_element(v + from, v + rank, v + n);
    from = rank + 1;
  }
}

}  // namespace

template <class T>
ColumnMoments column_moments(const T* x, std::size_t rows, std::size_t cols, bool want_m2, const ExecContext& ctx) {
  ColumnMoments m = nan_column_moments(x, rows, cols, want_m2, ctx);
  // An infinite value makes its column's mean inf or NaN; find it (finite sums can overflow too).
  for (std::size_t j = 0; j < cols; ++j)
    if (m.count[j] > 0 && !std::isfinite(m.mean[j])) {
      reject_refused(x, rows, cols, true, ctx);
      break;
    }
  return m;
}

template <class T>
void column_extremes(const T* x, std::size_t rows, std::size_t cols, double* min, double* max, const ExecContext& ctx) {
  std::vector<T> lo(cols), hi(cols);
  ReduceParams params;
  params.skip_nan = true;
  params.op = ReduceOp::Min;
  reduce_axis(x, rows, cols, 0, params, lo.data(), nullptr, ctx.pass(0, 2));
  params.op = ReduceOp::Max;
  reduce_axis(x, rows, cols, 0, params, hi.data(), nullptr, ctx.pass(1, 2));
  for (std::size_t j = 0; j < cols; ++j) {
    min[j] = static_cast<double>(lo[j]);
    max[j] = static_cast<double>(hi[j]);
    if (std::isinf(min[j]) || std::isinf(max[j])) reject_refused(x, rows, cols, true, ctx);
  }
}

template <class T>
void column_quantiles(const T* x, std::size_t rows, std::size_t cols, bool median, const double* percentiles,
                      std::size_t nq, double* out, const ExecContext& ctx) {
  const std::size_t first_q = median ? 1 : 0;
  for_each_column(x, rows, cols, true, ctx, [&](std::size_t j, double* v, std::size_t n) {
    if (n == 0) {
      for (std::size_t q = 0; q < first_q + nq; ++q) out[q * cols + j] = kNaN;
      return;
    }
    // NumPy's virtual index (n - 1) * p / 100 and the ranks either side of it, clamped to n - 1.
    std::vector<double> position(nq);
    std::vector<std::size_t> ranks;
    if (median) ranks.insert(ranks.end(), {(n - 1) / 2, n / 2});
    for (std::size_t q = 0; q < nq; ++q) {
      position[q] = static_cast<double>(n - 1) * (percentiles[q] / 100.0);
      const std::size_t below = std::min(static_cast<std::size_t>(position[q]), n - 1);
      ranks.insert(ranks.end(), {below, std::min(below + 1, n - 1)});
    }
    std::sort(ranks.begin(), ranks.end());
    select_ranks(v, n, ranks);
    if (median) out[j] = (v[(n - 1) / 2] + v[n / 2]) / 2.0;
    for (std::size_t q = 0; q < nq; ++q) {
      const std::size_t below = std::min(static_cast<std::size_t>(position[q]), n - 1);
      const double t = position[q] - static_cast<double>(below);
      out[(first_q + q) * cols + j] = lerp(v[below], v[std::min(below + 1, n - 1)], t);
    }
  });
}

// Calls run(value, count) for each run of equal values of a sorted span, in order.
template <class Run>
void for_each_run(const double* v, std::size_t n, Run run) {
  for (std::size_t i = 0; i < n;) {
    std::size_t end = i + 1;
    while (end < n && v[end] == v[i]) ++end;
    run(v[i], end - i);
    i = end;
  }
}

// Runs body(j, sorted values, n) for every column: the base of modes and distinct values.
template <class T, class Body>
void for_each_sorted_column(const T* x, std::size_t rows, std::size_t cols, bool allow_nan, const ExecContext& ctx,
                            Body body) {
  for_each_column(x, rows, cols, allow_nan, ctx, [&](std::size_t j, double* v, std::size_t n) {
    std::sort(v, v + n);
    body(j, v, n);
  });
}

template <class T>
void column_modes(const T* x, std::size_t rows, std::size_t cols, double* out, const ExecContext& ctx) {
  for_each_sorted_column(x, rows, cols, true, ctx, [&](std::size_t j, const double* v, std::size_t n) {
    double best = kNaN;
    std::size_t best_count = 0;
    for_each_run(v, n, [&](double value, std::size_t count) {
      if (count > best_count) {  // strictly more: the smallest value wins a tie
        best = value;
        best_count = count;
      }
    });
    out[j] = best;
  });
}

template <class T>
ColumnUniques column_uniques(const T* x, std::size_t rows, std::size_t cols, bool skip_nan, const ExecContext& ctx) {
  std::vector<std::vector<double>> values(cols), counts(cols);
  for_each_sorted_column(x, rows, cols, skip_nan, ctx, [&](std::size_t j, const double* v, std::size_t n) {
    for_each_run(v, n, [&](double value, std::size_t count) {
      values[j].push_back(value);
      counts[j].push_back(static_cast<double>(count));
    });
  });
  ColumnUniques out;
  out.offsets.push_back(0);
  for (std::size_t j = 0; j < cols; ++j) {
    out.values.insert(out.values.end(), values[j].begin(), values[j].end());
    out.counts.insert(out.counts.end(), counts[j].begin(), counts[j].end());
    out.offsets.push_back(out.values.size());
  }
  return out;
}

#define THREADML_INSTANTIATE(T)                                                                                      \
  template ColumnMoments column_moments<T>(const T*, std::size_t, std::size_t, bool, const ExecContext&);           \
  template void column_extremes<T>(const T*, std::size_t, std::size_t, double*, double*, const ExecContext&);        \
  template void column_quantiles<T>(const T*, std::size_t, std::size_t, bool, const double*, std::size_t, double*, \
                                    const ExecContext&);                                                            \
  template void column_modes<T>(const T*, std::size_t, std::size_t, double*, const ExecContext&);                    \
  template ColumnUniques column_uniques<T>(const T*, std::size_t, std::size_t, bool, const ExecContext&);
THREADML_INSTANTIATE(double)
THREADML_INSTANTIATE(float)
#undef THREADML_INSTANTIATE

}  // namespace threadml::preprocess
