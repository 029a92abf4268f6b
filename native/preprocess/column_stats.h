// Per-column statistics of a row-major matrix for the scalers, imputers and encoders. NaN is
// ignored (or refused where noted); an infinite value is a RangeError naming its position.
// Results do not depend on the thread count.
#pragma once
#include <cstddef>
#include <vector>

#include "core/parallel.h"
#include "kernels/reduce.h"

namespace threadml::preprocess {

// Count, mean and (want_m2) sum of squared deviations per column: reduce's nan_column_moments.
template <class T>
ColumnMoments column_moments(const T* x, std::size_t rows, std::size_t cols, bool want_m2, const ExecContext& ctx);

// Smallest and largest value per column (NaN for a column without values).
template <class T>
void column_extremes(const T* x, std::size_t rows, std::size_t cols, double* min, double* max, const ExecContext& ctx);

// Per column: NumPy's nanmedian when `median` (the mean of the two middle values for an even
// count), then nanpercentile with linear interpolation for each of the nq percentiles (0..100).
// out holds (median + nq) rows of cols values; NaN for a column without values.
template <class T>
void column_quantiles(const T* x, std::size_t rows, std::size_t cols, bool median, const double* percentiles,
                      std::size_t nq, double* out, const ExecContext& ctx);

// The most frequent value per column, the smallest among ties (scipy.stats.mode); NaN for a
// column without values.
template <class T>
void column_modes(const T* x, std::size_t rows, std::size_t cols, double* out, const ExecContext& ctx);

// The sorted distinct values of each column and how often each occurs: column j's are
// values[offsets[j] .. offsets[j + 1]). NaN is ignored when skip_nan, else refused.
struct ColumnUniques {
  std::vector<double> values, counts;
  std::vector<std::size_t> offsets;
};
template <class T>
ColumnUniques column_uniques(const T* x, std::size_t rows, std::size_t cols, bool skip_nan, const ExecContext& ctx);

}  // namespace threadml::preprocess
