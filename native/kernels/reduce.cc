#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu.h"
#include "kernels/reduce_chunks.h"

namespace threadml {

namespace chunks {
#define THREADML_DECLARE_TABLES(isa)          \
  namespace isa {                             \
  const Kernels<double>& table_f64();         \
  const Kernels<float>& table_f32();          \
  }
THREADML_DECLARE_TABLES(baseline)
#ifdef THREADML_HAVE_AVX2
THREADML_DECLARE_TABLES(avx2)
#endif
#ifdef THREADML_HAVE_AVX512
THREADML_DECLARE_TABLES(avx512)
#endif
#undef THREADML_DECLARE_TABLES

namespace {
template <class T, class Getter>
const Kernels<T>& pick(Getter baseline_table, Getter avx2_table, Getter avx512_table) {
  switch (simd_level()) {
    case SimdLevel::Avx512: return avx512_table();
    case SimdLevel::Avx2: return avx2_table();
    default: return baseline_table();
  }
}
}  // namespace

#ifndef THREADML_HAVE_AVX2
namespace avx2 = baseline;
#endif
#ifndef THREADML_HAVE_AVX512
namespace avx512 = avx2;
#endif

template <>
const Kernels<double>& kernels<double>() {
  static const Kernels<double>& table = pick<double>(&baseline::table_f64, &avx2::table_f64, &avx512::table_f64);
  return table;
}
template <>
const Kernels<float>& kernels<float>() {
  static const Kernels<float>& table = pick<float>(&baseline::table_f32, &avx2::table_f32, &avx512::table_f32);
  return table;
}
}  // namespace chunks

const char* reduce_simd_level() { return simd_level_name(simd_level()); }

namespace {

using chunks::DD;
using chunks::dd_add;

// Chunk and task sizes depend on nothing but these constants: the source of thread-count independence.
constexpr std::size_t kChunk = 4096;
constexpr std::size_t kChunksPerTask = 64;
// Below about this many elements per thread, a second thread costs more than it saves (bench: reduce 1e6).
constexpr std::size_t kMinElementsPerThread = std::size_t{1} << 20;

// Maps every chunk of [0, n) to a Partial (in parallel) and merges them as a fixed pairwise tree.
template <class Partial, class Map, class Merge>
Partial map_chunks(std::size_t n, const ExecContext& ctx, Map map, Merge merge) {
  const std::size_t n_chunks = task_count(n, kChunk);
  if (n_chunks == 1) return map(0, n);
  std::vector<Partial> parts(n_chunks);
  parallel_for(ctx.for_work(n, kMinElementsPerThread), task_count(n_chunks, kChunksPerTask), [&](std::size_t task) {
    const std::size_t last = std::min(n_chunks, (task + 1) * kChunksPerTask);
    for (std::size_t c = task * kChunksPerTask; c < last; ++c) {
      const std::size_t begin = c * kChunk;
      parts[c] = map(begin, std::min(kChunk, n - begin));
    }
  });
  for (std::size_t step = 1; step < n_chunks; step *= 2)
    for (std::size_t i = 0; i + step < n_chunks; i += 2 * step) parts[i] = merge(parts[i], parts[i + step]);
  return parts[0];
}

template <class T>
std::size_t count_present(const T* x, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) count += x[i] == x[i] ? 1 : 0;
  return count;
}

template <class T>
std::int64_t first_nan(const T* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != x[i]) return static_cast<std::int64_t>(i);
  return -1;
}

// ---- sums and moments ------------------------------------------------------------------------

// Count and compensated sum of a span, plus the sum of squared deviations from its own mean.
struct Moments {
  DD sum;
  double count = 0.0;
  DD m2;
};

// Chan et al.'s pairwise update; means come from the compensated sums, so the shift term is accurate.
Moments merge_moments(const Moments& a, const Moments& b) {
  if (a.count == 0.0) return b;
  if (b.count == 0.0) return a;
  Moments out;
  out.sum = dd_add(a.sum, b.sum);
  out.count = a.count + b.count;
  const double delta = b.sum.value() / b.count - a.sum.value() / a.count;
  out.m2 = dd_add(dd_add(a.m2, b.m2), delta * delta * (a.count * b.count / out.count));
  return out;
}

template <class T>
Moments chunk_moments(const T* x, std::size_t n, bool skip_nan, bool want_m2) {
  const auto& k = chunks::kernels<T>();
  Moments m;
  if (skip_nan) {
    m.count = static_cast<double>(count_present(x, n));
    if (m.count == 0.0) return m;
    m.sum = k.nansum(x, n);
  } else {
    m.count = static_cast<double>(n);
    m.sum = k.sum(x, n);
  }
  if (want_m2) {
    const double center = m.sum.value() / m.count;
    m.m2 = skip_nan ? k.nansum_sq_dev(x, n, center) : k.sum_sq_dev(x, n, center);
  }
  return m;
}

double finish_moments(const Moments& m, const ReduceParams& p) {
  switch (p.op) {
    case ReduceOp::Sum: return m.sum.value();
    case ReduceOp::Mean: return m.count == 0.0 ? std::numeric_limits<double>::quiet_NaN() : m.sum.value() / m.count;
    default: {
      const double dof = m.count - p.ddof;
      if (dof <= 0.0) return std::numeric_limits<double>::quiet_NaN();
      const double var = m.m2.value() / dof;
      return p.op == ReduceOp::Std ? std::sqrt(var) : var;
    }
  }
}

// ---- extrema -------------------------------------------------------------------------------

// Best non-NaN value with its first index, and the first NaN's index (-1 when none).
struct Extreme {
  double value = 0.0;
  std::int64_t index = -1;
  std::int64_t nan_index = -1;
  bool any = false;  // a non-NaN value was seen
};

template <bool kMax>
Extreme merge_extremes(const Extreme& a, const Extreme& b) {
  Extreme out = a;  // a covers earlier elements, so it wins ties
  if (out.nan_index < 0) out.nan_index = b.nan_index;
  if (b.any && (!a.any || (kMax ? b.value > a.value : b.value < a.value))) {
    out.value = b.value;
    out.index = b.index;
    out.any = true;
  }
  return out;
}

template <bool kMax, class T>
Extreme chunk_extreme(const T* x, std::size_t n, std::size_t offset, bool want_index) {
  const auto& k = chunks::kernels<T>();
  const chunks::Extremum e = kMax ? k.max(x, n) : k.min(x, n);
  Extreme out;
  out.value = e.value;
  out.any = !e.has_nan || count_present(x, n) > 0;
  if (e.has_nan) out.nan_index = static_cast<std::int64_t>(offset) + first_nan(x, n);
  if (want_index && out.any) {
    for (std::size_t i = 0; i < n; ++i)
      if (static_cast<double>(x[i]) == e.value) {
        out.index = static_cast<std::int64_t>(offset + i);
        break;
      }
  }
  return out;
}

double finish_extreme(const Extreme& e, const ReduceParams& p) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const bool arg = is_arg_op(p.op);
  if (!p.skip_nan && e.nan_index >= 0) return arg ? static_cast<double>(e.nan_index) : kNaN;
  if (!e.any) {
    if (arg) throw_range("Expected at least one value that is not NaN for x but received only NaN (argmin/argmax is undefined)");
    return kNaN;
  }
  return arg ? static_cast<double>(e.index) : e.value;
}

bool is_extreme_op(ReduceOp op) {
  return op == ReduceOp::Min || op == ReduceOp::Max || op == ReduceOp::ArgMin || op == ReduceOp::ArgMax;
}
bool wants_max(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::ArgMax; }

// ---- 1-D driver ----------------------------------------------------------------------------

template <bool kMax, class T>
Extreme extreme_of(const T* x, std::size_t n, bool want_index, const ExecContext& ctx) {
  return map_chunks<Extreme>(
      n, ctx, [&](std::size_t begin, std::size_t len) { return chunk_extreme<kMax>(x + begin, len, begin, want_index); },
      merge_extremes<kMax>);
}

DD merge_dd(const DD& a, const DD& b) { return dd_add(a, b); }

template <class ChunkSum>
DD dd_of(std::size_t n, const ExecContext& ctx, ChunkSum chunk_sum) {
  return map_chunks<DD>(n, ctx, chunk_sum, merge_dd);
}

// Squares overflow or underflow long before a norm does: outside this range, rescale by the largest
// magnitude and sum again. NaN needs no rescaling, and an exact zero only if tiny values vanished.
bool squares_in_range(double sum_sq) {
  return std::isnan(sum_sq) || (sum_sq != 0.0 && sum_sq >= 1e-280 && sum_sq <= 1e280);
}

// Multiplies by 2^k, which brings the largest magnitude to [1, 2) exactly; k reaches 1074 for
// subnormals, beyond one double, so the factor is applied as two.
struct PowerScale {
  int k;
  double hi, lo;
  explicit PowerScale(double biggest)
      : k(-std::ilogb(biggest)), hi(std::ldexp(1.0, k / 2)), lo(std::ldexp(1.0, k - k / 2)) {}
  double unscale(double value) const { return std::ldexp(value, -k); }
};

// Largest magnitude; NaN if any element is NaN.
template <class T>
double max_abs_of(const T* x, std::size_t n, const ExecContext& ctx) {
  const auto& k = chunks::kernels<T>();
  const chunks::Extremum e = map_chunks<chunks::Extremum>(
      n, ctx, [&](std::size_t begin, std::size_t len) { return k.max_abs(x + begin, len); },
      [](const chunks::Extremum& a, const chunks::Extremum& b) {
        return chunks::Extremum{std::max(a.value, b.value), a.has_nan || b.has_nan};
      });
  return e.has_nan ? std::numeric_limits<double>::quiet_NaN() : e.value;
}

template <class T>
double norm2(const T* x, std::size_t n, const ExecContext& ctx) {
  const auto& k = chunks::kernels<T>();
  const double sum_sq =
      dd_of(n, ctx, [&](std::size_t begin, std::size_t len) { return k.sum_sq_scaled(x + begin, len, 1.0, 1.0); })
          .value();
  if (squares_in_range(sum_sq)) return std::sqrt(sum_sq);
  const double biggest = max_abs_of(x, n, ctx);
  if (std::isnan(biggest) || biggest == 0.0 || std::isinf(biggest)) return biggest;
  const PowerScale scale(biggest);
  const double scaled = dd_of(n, ctx, [&](std::size_t begin, std::size_t len) {
                          return k.sum_sq_scaled(x + begin, len, scale.hi, scale.lo);
                        }).value();
  return scale.unscale(std::sqrt(scaled));
}

template <class T>
double reduce_span(const T* x, std::size_t n, const ReduceParams& p, const ExecContext& ctx) {
  const auto& k = chunks::kernels<T>();
  switch (p.op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
    case ReduceOp::Var:
    case ReduceOp::Std: {
      const bool want_m2 = p.op == ReduceOp::Var || p.op == ReduceOp::Std;
      const Moments m = map_chunks<Moments>(
          n, ctx,
          [&](std::size_t begin, std::size_t len) { return chunk_moments(x + begin, len, p.skip_nan, want_m2); },
          merge_moments);
      return finish_moments(m, p);
    }
    case ReduceOp::Min:
    case ReduceOp::ArgMin:
      return finish_extreme(extreme_of<false>(x, n, is_arg_op(p.op), ctx), p);
    case ReduceOp::Max:
    case ReduceOp::ArgMax:
      return finish_extreme(extreme_of<true>(x, n, is_arg_op(p.op), ctx), p);
    case ReduceOp::Norm1:
      return dd_of(n, ctx, [&](std::size_t begin, std::size_t len) { return k.sum_abs(x + begin, len); }).value();
    case ReduceOp::Norm2:
      return norm2(x, n, ctx);
    case ReduceOp::NormInf:
      return max_abs_of(x, n, ctx);
  }
  throw_range("Expected a known reduction for op but received " + std::to_string(static_cast<int>(p.op)));
}

// ---- axis 0: per-column reductions of a row-major matrix -----------------------------------

// Rows are cut into at most 32 blocks and columns into strips; each (block, strip) is a task that
// folds its rows into per-column partials, which are then merged block by block in order.
struct ColumnPlan {
  std::size_t block_rows, n_blocks, strip, n_strips;
  explicit ColumnPlan(std::size_t rows, std::size_t cols)
      : block_rows(std::max<std::size_t>(256, task_count(rows, 32))),
        n_blocks(task_count(rows, block_rows)),
        strip(1024),
        n_strips(task_count(cols, strip)) {}
};

template <class Body>
void for_each_tile(const ExecContext& ctx, const ColumnPlan& plan, std::size_t rows, std::size_t cols, Body body) {
  parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), plan.n_blocks * plan.n_strips, [&](std::size_t task) {
    const std::size_t block = task / plan.n_strips, strip = task % plan.n_strips;
    const std::size_t r0 = block * plan.block_rows, r1 = std::min(rows, r0 + plan.block_rows);
    const std::size_t c0 = strip * plan.strip, c1 = std::min(cols, c0 + plan.strip);
    body(block, r0, r1, c0, c1);
  });
}

inline void two_sum_into(double& hi, double& lo, double v) {
  const double s = hi + v;
  const double bv = s - hi;
  lo += (hi - (s - bv)) + (v - bv);
  hi = s;
}

// Per-column compensated sums of term(x, column) with present-value counts, merged over blocks.
template <class T, class Term>
std::vector<Moments> column_sums(const T* x, std::size_t rows, std::size_t cols, const ExecContext& ctx, Term term) {
  const ColumnPlan plan(rows, cols);
  std::vector<double> hi(plan.n_blocks * cols, 0.0), lo(hi.size(), 0.0), count(hi.size(), 0.0);
  for_each_tile(ctx, plan, rows, cols, [&](std::size_t block, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
    double* h = hi.data() + block * cols;
    double* l = lo.data() + block * cols;
    double* c = count.data() + block * cols;
    for (std::size_t r = r0; r < r1; ++r) {
      const T* row = x + r * cols;
      for (std::size_t j = c0; j < c1; ++j) {
        const double v = term(static_cast<double>(row[j]), j);
        const bool present = v == v;
        two_sum_into(h[j], l[j], present ? v : 0.0);
        c[j] += present ? 1.0 : 0.0;
      }
    }
  });
  std::vector<Moments> out(cols);
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t b = 0; b < plan.n_blocks; ++b) {
      // hi alone is the plain running sum: it is the answer once that is inf or NaN.
      const double h = hi[b * cols + j];
      out[j].sum = dd_add(out[j].sum, DD{h, std::isfinite(h) ? lo[b * cols + j] : 0.0});
      out[j].count += count[b * cols + j];
    }
  }
  return out;
}

// Count, compensated sum and (two_pass) sum of squared deviations per column.
template <class T>
std::vector<Moments> moments_by_column(const T* x, std::size_t rows, std::size_t cols, bool skip_nan, bool two_pass,
                                       const ExecContext& ctx) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<Moments> m =
      column_sums(x, rows, cols, two_pass ? ctx.pass(0, 2) : ctx, [](double v, std::size_t) { return v; });
  if (!skip_nan) {
    // column_sums skips NaN; without skip_nan a NaN poisons its column as in NumPy.
    for (std::size_t j = 0; j < cols; ++j)
      if (m[j].count != static_cast<double>(rows)) m[j] = Moments{DD{kNaN, 0.0}, static_cast<double>(rows), DD{}};
  }
  if (two_pass) {
    std::vector<double> center(cols);
    for (std::size_t j = 0; j < cols; ++j) center[j] = m[j].count == 0.0 ? 0.0 : m[j].sum.value() / m[j].count;
    const std::vector<Moments> dev = column_sums(x, rows, cols, ctx.pass(1, 2), [&](double v, std::size_t j) {
      const double d = v - center[j];
      return d * d;
    });
    // A deviation that is NaN although its value was not (inf - inf) makes the variance NaN, as in NumPy.
    for (std::size_t j = 0; j < cols; ++j)
      m[j].m2 = std::isnan(center[j]) || dev[j].count != m[j].count ? DD{kNaN, 0.0} : dev[j].sum;
  }
  return m;
}

template <class T>
void column_moments(const T* x, std::size_t rows, std::size_t cols, const ReduceParams& p, const ExecContext& ctx,
                    T* out) {
  const bool two_pass = p.op == ReduceOp::Var || p.op == ReduceOp::Std;
  const std::vector<Moments> m = moments_by_column(x, rows, cols, p.skip_nan, two_pass, ctx);
  for (std::size_t j = 0; j < cols; ++j) out[j] = static_cast<T>(finish_moments(m[j], p));
}

template <bool kMax, class T>
std::vector<Extreme> column_extremes(const T* x, std::size_t rows, std::size_t cols, const ExecContext& ctx) {
  const ColumnPlan plan(rows, cols);
  std::vector<Extreme> parts(plan.n_blocks * cols);
  for_each_tile(ctx, plan, rows, cols, [&](std::size_t block, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
    Extreme* e = parts.data() + block * cols;
    for (std::size_t r = r0; r < r1; ++r) {
      const T* row = x + r * cols;
      for (std::size_t j = c0; j < c1; ++j) {
        const double v = static_cast<double>(row[j]);
        if (v != v) {
          if (e[j].nan_index < 0) e[j].nan_index = static_cast<std::int64_t>(r);
        } else if (!e[j].any || (kMax ? v > e[j].value : v < e[j].value)) {
          e[j].value = v;
          e[j].index = static_cast<std::int64_t>(r);
          e[j].any = true;
        }
      }
    }
  });
  std::vector<Extreme> out(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(cols));
  for (std::size_t b = 1; b < plan.n_blocks; ++b)
    for (std::size_t j = 0; j < cols; ++j) out[j] = merge_extremes<kMax>(out[j], parts[b * cols + j]);
  return out;
}

// Largest magnitude per column; NaN for columns holding a NaN.
template <class T>
std::vector<double> column_max_abs(const T* x, std::size_t rows, std::size_t cols, const ExecContext& ctx) {
  const std::vector<Extreme> hi = column_extremes<true>(x, rows, cols, ctx);
  const std::vector<Extreme> lo = column_extremes<false>(x, rows, cols, ctx);
  std::vector<double> out(cols);
  for (std::size_t j = 0; j < cols; ++j)
    out[j] = hi[j].nan_index >= 0 ? std::numeric_limits<double>::quiet_NaN()
                                  : std::max(std::fabs(hi[j].value), std::fabs(lo[j].value));
  return out;
}

template <class T>
void column_norms(const T* x, std::size_t rows, std::size_t cols, ReduceOp op, const ExecContext& ctx, T* out) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (op == ReduceOp::NormInf) {
    const std::vector<double> biggest = column_max_abs(x, rows, cols, ctx);
    for (std::size_t j = 0; j < cols; ++j) out[j] = static_cast<T>(biggest[j]);
    return;
  }
  // column_sums skips NaN terms: a short count marks a column that must come out NaN.
  const bool squares = op == ReduceOp::Norm2;
  const std::vector<Moments> s = column_sums(x, rows, cols, ctx, [squares](double v, std::size_t) {
    return squares ? v * v : std::fabs(v);
  });
  std::vector<double> norms(cols);
  bool rescale = false;
  for (std::size_t j = 0; j < cols; ++j) {
    const double total = s[j].count == static_cast<double>(rows) ? s[j].sum.value() : kNaN;
    norms[j] = squares ? std::sqrt(total) : total;
    rescale = rescale || (squares && !squares_in_range(total));
  }
  if (rescale) {
    const std::vector<double> biggest = column_max_abs(x, rows, cols, ctx);
    std::vector<PowerScale> scale;
    scale.reserve(cols);
    for (std::size_t j = 0; j < cols; ++j) scale.emplace_back(biggest[j] == 0.0 || !std::isfinite(biggest[j]) ? 1.0 : biggest[j]);
    const std::vector<Moments> scaled = column_sums(x, rows, cols, ctx, [&scale](double v, std::size_t j) {
      const double r = v * scale[j].hi * scale[j].lo;
      return r * r;
    });
    for (std::size_t j = 0; j < cols; ++j) {
      if (squares_in_range(norms[j] * norms[j])) continue;
      const bool trivial = biggest[j] == 0.0 || !std::isfinite(biggest[j]);
      norms[j] = trivial ? biggest[j] : scale[j].unscale(std::sqrt(scaled[j].sum.value()));
    }
  }
  for (std::size_t j = 0; j < cols; ++j) out[j] = static_cast<T>(norms[j]);
}

}  // namespace

template <class T>
double reduce(const T* x, std::size_t n, const ReduceParams& params, const ExecContext& ctx) {
  if (n == 0) throw_range("Expected a non-empty array for x but received an empty one");
  return reduce_span(x, n, params, ctx);
}

template <class T>
double dot(const T* x, const T* y, std::size_t n, const ExecContext& ctx) {
  if (n == 0) throw_range("Expected non-empty arrays for x and y but received empty ones");
  const auto& k = chunks::kernels<T>();
  return dd_of(n, ctx, [&](std::size_t begin, std::size_t len) { return k.dot(x + begin, y + begin, len); }).value();
}

template <class T>
void reduce_axis(const T* x, std::size_t rows, std::size_t cols, int axis, const ReduceParams& p, T* out_value,
                 int32_t* out_index, const ExecContext& ctx) {
  if (rows == 0 || cols == 0) throw_range("Expected a matrix with at least one row and one column for x");
  if (axis == 1) {
    const std::size_t rows_per_task = std::max<std::size_t>(1, 16384 / cols);
    const ExecContext row_ctx = ctx.single_threaded();
    parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), task_count(rows, rows_per_task), [&](std::size_t task) {
      const std::size_t last = std::min(rows, (task + 1) * rows_per_task);
      for (std::size_t r = task * rows_per_task; r < last; ++r) {
        const double v = reduce_span(x + r * cols, cols, p, row_ctx);
        if (is_arg_op(p.op)) out_index[r] = static_cast<int32_t>(v);
        else out_value[r] = static_cast<T>(v);
      }
    });
    return;
  }
  if (is_extreme_op(p.op)) {
    const std::vector<Extreme> e =
        wants_max(p.op) ? column_extremes<true>(x, rows, cols, ctx) : column_extremes<false>(x, rows, cols, ctx);
    for (std::size_t j = 0; j < cols; ++j) {
      const double v = finish_extreme(e[j], p);
      if (is_arg_op(p.op)) out_index[j] = static_cast<int32_t>(v);
      else out_value[j] = static_cast<T>(v);
    }
    return;
  }
  if (p.op == ReduceOp::Norm1 || p.op == ReduceOp::Norm2 || p.op == ReduceOp::NormInf) {
    column_norms(x, rows, cols, p.op, ctx, out_value);
    return;
  }
  column_moments(x, rows, cols, p, ctx, out_value);
}

template <class T>
ColumnMoments nan_column_moments(const T* x, std::size_t rows, std::size_t cols, bool want_m2, const ExecContext& ctx) {
  if (rows == 0 || cols == 0) throw_range("Expected a matrix with at least one row and one column for x");
  const std::vector<Moments> m = moments_by_column(x, rows, cols, true, want_m2, ctx);
  ColumnMoments out{std::vector<double>(cols), std::vector<double>(cols), std::vector<double>(cols)};
  for (std::size_t j = 0; j < cols; ++j) {
    out.count[j] = m[j].count;
    out.mean[j] = m[j].count == 0.0 ? std::numeric_limits<double>::quiet_NaN() : m[j].sum.value() / m[j].count;
    out.m2[j] = m[j].m2.value();
  }
  return out;
}

double stream_sum(const double* x, std::size_t n, const ExecContext& ctx) {
  const auto& k = chunks::kernels<double>();
  // Large tasks and no compensation: this is the yardstick, not a result anyone should use.
  constexpr std::size_t kGrain = 1 << 20;
  std::vector<double> parts(task_count(n, kGrain), 0.0);
  parallel_for(ctx, parts.size(), [&](std::size_t t) {
    const std::size_t begin = t * kGrain;
    parts[t] = k.stream_sum(x + begin, std::min(kGrain, n - begin));
  });
  double total = 0.0;
  for (double v : parts) total += v;
  return total;
}

template double reduce<double>(const double*, std::size_t, const ReduceParams&, const ExecContext&);
template double reduce<float>(const float*, std::size_t, const ReduceParams&, const ExecContext&);
template double dot<double>(const double*, const double*, std::size_t, const ExecContext&);
template double dot<float>(const float*, const float*, std::size_t, const ExecContext&);
template void reduce_axis<double>(const double*, std::size_t, std::size_t, int, const ReduceParams&, double*, int32_t*,
                                  const ExecContext&);
template void reduce_axis<float>(const float*, std::size_t, std::size_t, int, const ReduceParams&, float*, int32_t*,
                                 const ExecContext&);
template ColumnMoments nan_column_moments<double>(const double*, std::size_t, std::size_t, bool, const ExecContext&);
template ColumnMoments nan_column_moments<float>(const float*, std::size_t, std::size_t, bool, const ExecContext&);

}  // namespace threadml
