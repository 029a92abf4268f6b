// Single-threaded CBLAS entry points chosen by element type, for products on one block of rows
// inside a task that parallel_for already runs (the caller checks that dimensions fit an int).
#pragma once
#include <cblas.h>

namespace threadml::linear {

template <class T>
struct Blas;

template <>
struct Blas<double> {
  static constexpr auto gemm = cblas_dgemm;
  static constexpr auto gemv = cblas_dgemv;
};

template <>
struct Blas<float> {
  static constexpr auto gemm = cblas_sgemm;
  static constexpr auto gemv = cblas_sgemv;
};

}  // namespace threadml::linear
