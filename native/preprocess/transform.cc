#include "preprocess/transform.h"

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "core/status.h"
#include "preprocess/common.h"

namespace threadml::preprocess {

namespace {

// Options resolve once into a specialised loop: no per-element branching on them.
template <AffineForm kForm, bool kClip, class T>
void affine(const T* __restrict x, std::size_t rows, std::size_t cols, const AffineParams& p, T* __restrict out,
            const ExecContext& ctx) {
  std::atomic<bool> infinite{false};
  for_row_blocks(ctx, rows, cols, [&](std::size_t, std::size_t r0, std::size_t r1) {
    const double* __restrict shift = p.shift;
    const double* __restrict factor = p.factor;
    bool bad = false;
    for (std::size_t r = r0; r < r1; ++r) {
      const T* in = x + r * cols;
      T* o = out + r * cols;
      for (std::size_t j = 0; j < cols; ++j) {
        const double v = static_cast<double>(in[j]);
        bad |= refused<true>(v);
        double y = kForm == AffineForm::SubtractDivide ? (v - shift[j]) / factor[j] : v * factor[j] + shift[j];
        if constexpr (kClip) y = std::min(std::max(y, p.lo), p.hi);
        o[j] = static_cast<T>(y);
      }
    }
    if (bad) infinite.store(true, std::memory_order_relaxed);
  });
  if (infinite.load()) reject_refused(x, rows, cols, true, ctx);
}

template <bool kMissingIsNaN, class T>
void impute(const T* __restrict x, std::size_t rows, std::size_t cols, double missing, const double* fill,
            const int32_t* keep, std::size_t out_cols, T* __restrict out, const ExecContext& ctx) {
  std::atomic<bool> invalid{false};
  for_row_blocks(ctx, rows, cols, [&](std::size_t, std::size_t r0, std::size_t r1) {
    bool bad = false;
    for (std::size_t r = r0; r < r1; ++r) {
      const T* in = x + r * cols;
      T* o = out + r * out_cols;
      for (std::size_t k = 0; k < out_cols; ++k) {
        const T v = in[keep[k]];
        const double d = static_cast<double>(v);
        bad |= refused<kMissingIsNaN>(d);
        const bool gap = kMissingIsNaN ? d != d : d == missing;
        o[k] = gap ? static_cast<T>(fill[k]) : v;
      }
    }
    if (bad) invalid.store(true, std::memory_order_relaxed);
  });
  if (invalid.load()) reject_refused(x, rows, cols, kMissingIsNaN, ctx);
}

}  // namespace

template <class T>
void column_affine(const T* x, std::size_t rows, std::size_t cols, const AffineParams& p, T* out,
                   const ExecContext& ctx) {
  if (p.form == AffineForm::SubtractDivide) {
    if (p.clip) affine<AffineForm::SubtractDivide, true>(x, rows, cols, p, out, ctx);
    else affine<AffineForm::SubtractDivide, false>(x, rows, cols, p, out, ctx);
  } else {
    if (p.clip) affine<AffineForm::MultiplyAdd, true>(x, rows, cols, p, out, ctx);
    else affine<AffineForm::MultiplyAdd, false>(x, rows, cols, p, out, ctx);
  }
}

template <class T>
void normalize_rows(const T* x, std::size_t rows, std::size_t cols, ReduceOp norm, T* out, const ExecContext& ctx) {
  std::vector<T> norms(rows);
  ReduceParams params;
  params.op = norm;
  reduce_axis(x, rows, cols, 1, params, norms.data(), nullptr, ctx.pass(0, 2));
  // A NaN or infinite norm means a refused value in its row (or a 1-norm that overflowed).
  for (const T n : norms)
    if (!std::isfinite(n)) {
      reject_refused(x, rows, cols, false, ctx);
      break;
    }
  const double tiny = 10.0 * std::numeric_limits<T>::epsilon();
  for_row_blocks(ctx.pass(1, 2), rows, cols, [&](std::size_t, std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      const double n = static_cast<double>(norms[r]) < tiny ? 1.0 : static_cast<double>(norms[r]);
      const T* in = x + r * cols;
      T* o = out + r * cols;
      for (std::size_t j = 0; j < cols; ++j) o[j] = static_cast<T>(static_cast<double>(in[j]) / n);
    }
  });
}

template <class T>
void impute_columns(const T* x, std::size_t rows, std::size_t cols, double missing, const double* fill,
                    const int32_t* keep, std::size_t out_cols, T* out, const ExecContext& ctx) {
  for (std::size_t k = 0; k < out_cols; ++k)
    if (keep[k] < 0 || static_cast<std::size_t>(keep[k]) >= cols)
      throw_range("Expected column indexes below " + std::to_string(cols) + " for keep but received " +
                  std::to_string(keep[k]));
  if (std::isnan(missing)) impute<true>(x, rows, cols, missing, fill, keep, out_cols, out, ctx);
  else impute<false>(x, rows, cols, missing, fill, keep, out_cols, out, ctx);
}

template <class T>
void take_rows(const T* x, std::size_t rows, std::size_t cols, const int32_t* index, std::size_t n, T* out,
               const ExecContext& ctx) {
  for (std::size_t k = 0; k < n; ++k)
    if (index[k] < 0 || static_cast<std::size_t>(index[k]) >= rows)
      throw_range("Expected row indexes below " + std::to_string(rows) + " for index but received " +
                  std::to_string(index[k]));
  for_row_blocks(ctx, n, cols, [&](std::size_t, std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r)
      std::memcpy(out + r * cols, x + static_cast<std::size_t>(index[r]) * cols, cols * sizeof(T));
  });
}

#define THREADML_INSTANTIATE(T)                                                                                   \
  template void column_affine<T>(const T*, std::size_t, std::size_t, const AffineParams&, T*, const ExecContext&); \
  template void normalize_rows<T>(const T*, std::size_t, std::size_t, ReduceOp, T*, const ExecContext&);         \
  template void impute_columns<T>(const T*, std::size_t, std::size_t, double, const double*, const int32_t*,      \
                                  std::size_t, T*, const ExecContext&);                                          \
  template void take_rows<T>(const T*, std::size_t, std::size_t, const int32_t*, std::size_t, T*, const ExecContext&);
THREADML_INSTANTIATE(double)
THREADML_INSTANTIATE(float)
#undef THREADML_INSTANTIATE

}  // namespace threadml::preprocess
