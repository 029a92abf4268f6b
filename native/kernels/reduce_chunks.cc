// Compiled once per instruction set (THREADML_ISA); see reduce_chunks.h.
//
// Kernels are written on GCC vector types of the register width (2, 4 or 8 doubles) in arrays that
// make up 16 lanes: element i + l of every 16-element block always lands in lane l, so every
// variant rounds identically, and none relies on the auto-vectoriser (which turns the TwoSum chain
// into scalar adds for doubles). Wider-than-register vector types would live in memory instead.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/reduce_chunks.h"

#ifndef THREADML_ISA
#error "THREADML_ISA must name the instruction set this file is compiled for"
#endif

namespace threadml::chunks::THREADML_ISA {
namespace {

constexpr int kLanes = 16;
#if defined(__AVX512F__)
constexpr int kWidth = 8;
#elif defined(__AVX__)
constexpr int kWidth = 4;
#else
constexpr int kWidth = 2;
#endif
constexpr int kRegs = kLanes / kWidth;
using Vec = double __attribute__((vector_size(kWidth * sizeof(double))));
using Mask = std::int64_t __attribute__((vector_size(kWidth * sizeof(double))));
using FloatVec = float __attribute__((vector_size(kWidth * sizeof(float))));

// Loads kWidth consecutive elements as doubles (V = Vec), or one element (V = double) for tails.
template <class V, class T>
inline V load(const T* p) noexcept {
  if constexpr (std::is_same_v<V, double>) {
    return static_cast<double>(*p);
  } else if constexpr (std::is_same_v<T, double>) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
  } else {
    FloatVec f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, Vec);
  }
}

inline Vec select(Mask m, Vec a, Vec b) noexcept { return m ? a : b; }
inline double select(bool m, double a, double b) noexcept { return m ? a : b; }

inline Vec magnitude(Vec v) noexcept {
  return reinterpret_cast<Vec>(reinterpret_cast<Mask>(v) & std::numeric_limits<std::int64_t>::max());
}
inline double magnitude(double v) noexcept { return std::fabs(v); }

template <class V>
inline V zero_if_nan(V v) noexcept {
  return select(v == v, v, V{} * 0.0);
}

// One error-free TwoSum step: hi + lo gains v exactly; hi alone is the plain running sum.
template <class V>
inline void two_sum(V& hi, V& lo, V v) noexcept {
  const V s = hi + v;
  const V bv = s - hi;
  lo += (hi - (s - bv)) + (v - bv);
  hi = s;
}

inline double lane(const Vec (&regs)[kRegs], int l) noexcept { return regs[l / kWidth][l % kWidth]; }

DD fold_lanes(const Vec (&hi)[kRegs], const Vec (&lo)[kRegs]) noexcept {
  DD half[kLanes / 2];
  for (int l = 0; l < kLanes / 2; ++l)
    half[l] = dd_add(DD{lane(hi, 2 * l), lane(lo, 2 * l)}, DD{lane(hi, 2 * l + 1), lane(lo, 2 * l + 1)});
  for (int width = kLanes / 4; width >= 1; width /= 2)
    for (int l = 0; l < width; ++l) half[l] = dd_add(half[2 * l], half[2 * l + 1]);
  return half[0];
}

// Sums term(i) over i < n in 16 TwoSum lanes: as accurate as a double-double sum, while the
// loop-carried chain stays one add long (memory-bound speed). term is called as term<Vec>(i) for
// kWidth elements from i and term<double>(i) for one.
template <class Term>
DD accumulate(std::size_t n, Term term) noexcept {
  Vec hi[kRegs] = {}, lo[kRegs] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 8
    for (int r = 0; r < kRegs; ++r) two_sum(hi[r], lo[r], term.template operator()<Vec>(i + r * kWidth));
  }
  for (int l = 0; i < n; ++i, ++l) {
    double h = hi[l / kWidth][l % kWidth], o = lo[l / kWidth][l % kWidth];
    two_sum(h, o, term.template operator()<double>(i));
    hi[l / kWidth][l % kWidth] = h;
    lo[l / kWidth][l % kWidth] = o;
  }
  DD total = fold_lanes(hi, lo);
  if (!std::isfinite(total.hi)) {
    // An inf or NaN term (or overflow): recompute plainly for exact IEEE semantics (+inf, -inf or NaN).
    double plain = 0.0;
    for (std::size_t k = 0; k < n; ++k) plain += term.template operator()<double>(k);
    total = DD{plain, 0.0};
  }
  return total;
}

// Plain 16-lane sum for terms of one sign (squared deviations): a chunk's lanes each add a few
// hundred terms, so the relative error stays near 1e-15 without TwoSum's extra work per element.
template <class Term>
DD accumulate_plain(std::size_t n, Term term) noexcept {
  Vec acc[kRegs] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 8
    for (int r = 0; r < kRegs; ++r) acc[r] += term.template operator()<Vec>(i + r * kWidth);
  }
  for (int l = 0; i < n; ++i, ++l) acc[l / kWidth][l % kWidth] += term.template operator()<double>(i);
  DD total{};
  for (int l = 0; l < kLanes; ++l) total = dd_add(total, lane(acc, l));
  return total;
}

template <class T>
DD sum(const T* x, std::size_t n) {
  return accumulate(n, [x]<class V>(std::size_t i) { return load<V>(x + i); });
}
template <class T>
DD nansum(const T* x, std::size_t n) {
  return accumulate(n, [x]<class V>(std::size_t i) { return zero_if_nan(load<V>(x + i)); });
}
template <class T>
DD sum_sq_dev(const T* x, std::size_t n, double center) {
  return accumulate_plain(n, [x, center]<class V>(std::size_t i) {
    const V d = load<V>(x + i) - center;
    return d * d;
  });
}
template <class T>
DD nansum_sq_dev(const T* x, std::size_t n, double center) {
  // Only NaN inputs are skipped: inf - inf stays NaN and makes the variance NaN, as in NumPy.
  return accumulate_plain(n, [x, center]<class V>(std::size_t i) {
    const V v = load<V>(x + i);
    const V d = v - center;
    return select(v == v, d * d, V{} * 0.0);
  });
}
template <class T>
DD sum_abs(const T* x, std::size_t n) {
  return accumulate(n, [x]<class V>(std::size_t i) { return magnitude(load<V>(x + i)); });
}
template <class T>
DD sum_sq_scaled(const T* x, std::size_t n, double scale_hi, double scale_lo) {
  return accumulate(n, [x, scale_hi, scale_lo]<class V>(std::size_t i) {
    const V v = load<V>(x + i) * scale_hi * scale_lo;
    return v * v;
  });
}
template <class T>
DD dot(const T* x, const T* y, std::size_t n) {
  return accumulate(n, [x, y]<class V>(std::size_t i) { return load<V>(x + i) * load<V>(y + i); });
}

// Lane-wise min/max that skips NaN (a NaN never wins a comparison) and records whether one was seen.
template <bool kMax, bool kMagnitude, class T>
Extremum extremum(const T* x, std::size_t n) noexcept {
  constexpr double kStart = kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  auto value = [x]<class V>(std::size_t i) {
    const V v = load<V>(x + i);
    if constexpr (kMagnitude) return magnitude(v);
    else return v;
  };
  Vec best[kRegs];
  Mask nan_seen[kRegs] = {};
  for (int r = 0; r < kRegs; ++r) best[r] = Vec{} + kStart;
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma GCC unroll 8
    for (int r = 0; r < kRegs; ++r) {
      const Vec v = value.template operator()<Vec>(i + r * kWidth);
      best[r] = select(kMax ? v > best[r] : v < best[r], v, best[r]);
      nan_seen[r] |= v != v;
    }
  }
  Extremum out{kStart, false};
  for (int l = 0; l < kLanes; ++l) {
    const double b = lane(best, l);
    out.value = (kMax ? b > out.value : b < out.value) ? b : out.value;
    out.has_nan = out.has_nan || nan_seen[l / kWidth][l % kWidth] != 0;
  }
  for (; i < n; ++i) {
    const double v = value.template operator()<double>(i);
    out.value = (kMax ? v > out.value : v < out.value) ? v : out.value;
    out.has_nan = out.has_nan || v != v;
  }
  return out;
}

template <class T>
Extremum min(const T* x, std::size_t n) {
  return extremum<false, false>(x, n);
}
template <class T>
Extremum max(const T* x, std::size_t n) {
  return extremum<true, false>(x, n);
}
template <class T>
Extremum max_abs(const T* x, std::size_t n) {
  return extremum<true, true>(x, n);
}

template <class T>
double stream_sum(const T* x, std::size_t n) {
  return accumulate_plain(n, [x]<class V>(std::size_t i) { return load<V>(x + i); }).value();
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
