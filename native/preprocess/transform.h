// Row-parallel transforms of a row-major matrix into a new one of the same float type: the affine
// column maps of the scalers, row normalisation, imputation, and row selection. Every kernel
// refuses infinite input (and NaN where it is not allowed) with a RangeError naming the position.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/parallel.h"
#include "kernels/reduce.h"

namespace threadml::preprocess {

// out[i][j] = (x[i][j] - shift[j]) / factor[j] (SubtractDivide) or x[i][j] * factor[j] + shift[j]
// (MultiplyAdd): the two orders in which scikit-learn's scalers apply their statistics, so results
// round like theirs. Computed in float64; with clip, results are clipped to [lo, hi] (NaN stays NaN).
enum class AffineForm { SubtractDivide, MultiplyAdd };
struct AffineParams {
  const double* shift = nullptr;
  const double* factor = nullptr;
  AffineForm form = AffineForm::SubtractDivide;
  bool clip = false;
  double lo = 0.0, hi = 1.0;
};
template <class T>
void column_affine(const T* x, std::size_t rows, std::size_t cols, const AffineParams& params, T* out,
                   const ExecContext& ctx);

// Divides every row by its norm (Norm1, Norm2 or NormInf); rows whose norm is below 10 machine
// epsilons stay as they are (scikit-learn's Normalizer). NaN is refused.
template <class T>
void normalize_rows(const T* x, std::size_t rows, std::size_t cols, ReduceOp norm, T* out, const ExecContext& ctx);

// out[i][k] = fill[k] where x[i][keep[k]] is missing, else x[i][keep[k]]: out keeps the columns
// listed in keep. Missing means NaN when `missing` is NaN, else equal to it (and NaN is refused).
template <class T>
void impute_columns(const T* x, std::size_t rows, std::size_t cols, double missing, const double* fill,
                    const int32_t* keep, std::size_t out_cols, T* out, const ExecContext& ctx);

// out row k = x row index[k]; every index must lie in [0, rows).
template <class T>
void take_rows(const T* x, std::size_t rows, std::size_t cols, const int32_t* index, std::size_t n, T* out,
               const ExecContext& ctx);

}  // namespace threadml::preprocess
