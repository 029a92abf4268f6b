// Parallel reductions over contiguous arrays and along an axis of a row-major matrix.
// Float32 input accumulates in float64. Results are bit-identical for any thread count.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/parallel.h"

namespace threadml {

// Values shared with lib/ops/reduce.ts.
enum class ReduceOp : int32_t {
  Sum = 0, Mean = 1, Var = 2, Std = 3, Min = 4, Max = 5, ArgMin = 6, ArgMax = 7,
  Norm1 = 8, Norm2 = 9, NormInf = 10,
};
constexpr int32_t kReduceOpCount = 11;

inline bool is_arg_op(ReduceOp op) { return op == ReduceOp::ArgMin || op == ReduceOp::ArgMax; }

struct ReduceParams {
  ReduceOp op = ReduceOp::Sum;
  bool skip_nan = false;  // the NumPy nan* variants (sum/mean/var/std/min/max/argmin/argmax)
  double ddof = 0.0;      // delta degrees of freedom for var/std
};

// Returns the reduced value; for argmin/argmax, the (first) index. Empty input is a RangeError;
// argmin/argmax of an all-NaN input with skip_nan is a RangeError like NumPy's nanargmin.
template <class T>
double reduce(const T* x, std::size_t n, const ReduceParams& params, const ExecContext& ctx);

template <class T>
double dot(const T* x, const T* y, std::size_t n, const ExecContext& ctx);

// axis 0 reduces each column (out has cols entries), axis 1 each row (out has rows entries).
// Arg ops write out_index, the others out_value.
template <class T>
void reduce_axis(const T* x, std::size_t rows, std::size_t cols, int axis, const ReduceParams& params,
                 T* out_value, int32_t* out_index, const ExecContext& ctx);

// Per column, with NaN skipped: the count of values, their mean (NaN when none) and, when want_m2,
// the sum of squared deviations from that mean, all from one (two-pass) sweep. For the
// preprocessing scalers and imputers, which need the three together.
struct ColumnMoments {
  std::vector<double> count, mean, m2;
};
template <class T>
ColumnMoments nan_column_moments(const T* x, std::size_t rows, std::size_t cols, bool want_m2, const ExecContext& ctx);

// Plain parallel sum with no compensation, for measuring the machine's memory-read bandwidth.
double stream_sum(const double* x, std::size_t n, const ExecContext& ctx);

const char* reduce_simd_level();

}  // namespace threadml
