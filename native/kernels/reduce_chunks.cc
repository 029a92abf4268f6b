// Compiled once per instruction set (THREADML_ISA); see reduce_chunks.h.
#include "kernels/reduce_chunks.h"

#include <cmath>
#include <limits>

#ifndef THREADML_ISA
#error "THREADML_ISA must name the instruction set this file is compiled for"
#endif

namespace threadml::chunks::THREADML_ISA {
namespace {

constexpr int kLanes = 16;

DD fold_lanes(const double* hi, const double* lo) noexcept {
  DD half[kLanes / 2];
  for (int l = 0; l < kLanes / 2; ++l) half[l] = dd_add(DD{hi[2 * l], lo[2 * l]}, DD{hi[2 * l + 1], lo[2 * l + 1]});
  for (int width = kLanes / 4; width >= 1; width /= 2)
    for (int l = 0; l < width; ++l) half[l] = dd_add(half[2 * l], half[2 * l + 1]);
  return half[0];
}

// Sums term(i) for i < n with 16 TwoSum lanes: error-free per addition, so the result is as
// accurate as a double-double sum while the dependency chain stays one add long (memory-bound speed).
template <class Term>
DD accumulate(std::size_t n, Term term) noexcept {
  alignas(64) double hi[kLanes] = {};
  alignas(64) double lo[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) {
      const double v = term(i + l);
      const double s = hi[l] + v;
      const double bv = s - hi[l];
      lo[l] += (hi[l] - (s - bv)) + (v - bv);
      hi[l] = s;
    }
  }
  for (int l = 0; i < n; ++i, ++l) {
    const double v = term(i);
    const double s = hi[l] + v;
    const double bv = s - hi[l];
    lo[l] += (hi[l] - (s - bv)) + (v - bv);
    hi[l] = s;
  }
  DD total = fold_lanes(hi, lo);
  if (!std::isfinite(total.hi)) {
    // inf or NaN among the terms (or overflow): TwoSum's error terms turn inf into NaN, so
    // recompute plainly, which gives +inf, -inf or NaN exactly as IEEE addition does.
    double plain = 0.0;
    for (std::size_t k = 0; k < n; ++k) plain += term(k);
    total = DD{plain, 0.0};
  }
  return total;
}

template <class T>
inline double nan_to_zero(T v) noexcept {
  return v == v ? static_cast<double>(v) : 0.0;
}

template <class T>
DD sum(const T* x, std::size_t n) {
  return accumulate(n, [x](std::size_t i) { return static_cast<double>(x[i]); });
}
template <class T>
DD nansum(const T* x, std::size_t n) {
  return accumulate(n, [x](std::size_t i) { return nan_to_zero(x[i]); });
}
template <class T>
DD sum_sq_dev(const T* x, std::size_t n, double center) {
  return accumulate(n, [x, center](std::size_t i) {
    const double d = static_cast<double>(x[i]) - center;
    return d * d;
  });
}
template <class T>
DD nansum_sq_dev(const T* x, std::size_t n, double center) {
  return accumulate(n, [x, center](std::size_t i) {
    const double d = static_cast<double>(x[i]) - center;
    return d == d ? d * d : 0.0;
  });
}
template <class T>
DD sum_abs(const T* x, std::size_t n) {
  return accumulate(n, [x](std::size_t i) { return std::fabs(static_cast<double>(x[i])); });
}
template <class T>
DD sum_sq_scaled(const T* x, std::size_t n, double scale) {
  return accumulate(n, [x, scale](std::size_t i) {
    const double v = static_cast<double>(x[i]) * scale;
    return v * v;
  });
}
template <class T>
DD dot(const T* x, const T* y, std::size_t n) {
  return accumulate(n, [x, y](std::size_t i) { return static_cast<double>(x[i]) * static_cast<double>(y[i]); });
}

// Lane-wise min/max that skips NaN (a NaN never wins a comparison) and records whether one was seen.
template <bool kMax, class T, class Map>
Extremum extremum(const T* x, std::size_t n, Map map) noexcept {
  constexpr double kStart = kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  alignas(64) double best[kLanes];
  alignas(64) double nan_seen[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    best[l] = kStart;
    nan_seen[l] = 0.0;
  }
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) {
      const double v = map(static_cast<double>(x[i + l]));
      best[l] = (kMax ? v > best[l] : v < best[l]) ? v : best[l];
      nan_seen[l] = v != v ? 1.0 : nan_seen[l];
    }
  }
  for (int l = 0; i < n; ++i, ++l) {
    const double v = map(static_cast<double>(x[i]));
    best[l] = (kMax ? v > best[l] : v < best[l]) ? v : best[l];
    nan_seen[l] = v != v ? 1.0 : nan_seen[l];
  }
  Extremum out{kStart, false};
  for (int l = 0; l < kLanes; ++l) {
    out.value = (kMax ? best[l] > out.value : best[l] < out.value) ? best[l] : out.value;
    out.has_nan = out.has_nan || nan_seen[l] != 0.0;
  }
  return out;
}

inline double identity(double v) noexcept { return v; }
inline double absolute(double v) noexcept { return std::fabs(v); }

template <class T>
Extremum min(const T* x, std::size_t n) {
  return extremum<false>(x, n, identity);
}
template <class T>
Extremum max(const T* x, std::size_t n) {
  return extremum<true>(x, n, identity);
}
template <class T>
Extremum max_abs(const T* x, std::size_t n) {
  return extremum<true>(x, n, absolute);
}

template <class T>
double stream_sum(const T* x, std::size_t n) {
  alignas(64) double acc[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) acc[l] += static_cast<double>(x[i + l]);
  }
  for (; i < n; ++i) acc[0] += static_cast<double>(x[i]);
  double total = 0.0;
  for (int l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

template <class T>
constexpr Kernels<T> make_table() {
  return Kernels<T>{sum<T>,    nansum<T>, sum_sq_dev<T>, nansum_sq_dev<T>, sum_abs<T>, sum_sq_scaled<T>,
                    dot<T>,    min<T>,    max<T>,        max_abs<T>,       stream_sum<T>};
}

}  // namespace

const Kernels<double>& table_f64() {
  static constexpr Kernels<double> table = make_table<double>();
  return table;
}
const Kernels<float>& table_f32() {
  static constexpr Kernels<float> table = make_table<float>();
  return table;
}

}  // namespace threadml::chunks::THREADML_ISA
