// Per-chunk reduction kernels. A chunk is a short contiguous span (a few thousand elements, in
// cache); the parallel drivers in reduce.cc split arrays into chunks whose size depends on the data
// only and combine chunk results in a fixed order, so results never depend on the thread count.
//
// reduce_chunks.cc is compiled once per instruction set (baseline x86-64, AVX2, AVX-512) and the
// best table for the running CPU is picked at load time. Every kernel uses the same 16 lanes on
// every instruction set, so all variants give bit-identical results.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace threadml::chunks {

// A double-double partial sum: the represented value is hi + lo, kept exactly by TwoSum.
struct DD {
  double hi = 0.0;
  double lo = 0.0;
  double value() const noexcept { return hi + lo; }
};

// Exact for finite values; once the sum is inf or NaN it behaves like IEEE addition (the error
// terms of infinities would otherwise turn +inf into NaN).
inline DD dd_add(DD a, DD b) noexcept {
  const double s = a.hi + b.hi;
  if (!std::isfinite(s)) return DD{s, 0.0};
  const double bv = s - a.hi;
  double e = (a.hi - (s - bv)) + (b.hi - bv);
  e += a.lo + b.lo;
  const double hi = s + e;
  return DD{hi, e - (hi - s)};
}

inline DD dd_add(DD a, double b) noexcept { return dd_add(a, DD{b, 0.0}); }

struct Extremum {
  double value;       // min or max over the non-NaN elements (+/-inf when there are none)
  bool has_nan;       // whether the chunk holds a NaN
};

template <class T>
struct Kernels {
  DD (*sum)(const T* x, std::size_t n);
  DD (*nansum)(const T* x, std::size_t n);  // NaN counts as zero
  DD (*sum_sq_dev)(const T* x, std::size_t n, double center);     // sum of (x - center)^2
  DD (*nansum_sq_dev)(const T* x, std::size_t n, double center);  // NaN terms skipped
  DD (*sum_abs)(const T* x, std::size_t n);
  // sum of (x * scale_hi * scale_lo)^2: two power-of-two factors reach scales one double cannot hold
  DD (*sum_sq_scaled)(const T* x, std::size_t n, double scale_hi, double scale_lo);
  DD (*dot)(const T* x, const T* y, std::size_t n);
  Extremum (*min)(const T* x, std::size_t n);
  Extremum (*max)(const T* x, std::size_t n);
  Extremum (*max_abs)(const T* x, std::size_t n);
  // Plain 16-lane sum with no compensation: the memory-read speed limit the benchmarks compare to.
  double (*stream_sum)(const T* x, std::size_t n);
};

template <class T>
const Kernels<T>& kernels();  // the table for the running CPU


}  // namespace threadml::chunks
