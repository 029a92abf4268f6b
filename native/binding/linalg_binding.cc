// gemm(A, aRows, aCols, B, bRows, bCols, params, options) -> Promise<Float64Array | Float32Array>
// params: {transA, transB, alpha, beta, C}; the result is a new row-major m x n array.
#include <cmath>
#include <cstring>

#include "binding/args.h"
#include "binding/job.h"
#include "kernels/blas.h"

namespace threadml::binding {

namespace {

constexpr std::size_t kMaxBlasDim = 2147483647;  // OpenBLAS takes int dimensions

void check_shape(const FloatArray& x, std::size_t rows, std::size_t cols, const char* name) {
  if (rows == 0 || cols == 0 || rows > kMaxBlasDim || cols > kMaxBlasDim || rows > x.length / cols ||
      rows * cols != x.length)
    throw Napi::RangeError::New(x.value.Env(), std::string("Expected ") + name + " of shape rows x cols matching its data (length " +
                                                   std::to_string(x.length) + ") but received " + std::to_string(rows) +
                                                   " x " + std::to_string(cols));
}

double number_param(const Napi::Object& params, const char* key, double fallback) {
  const Napi::Value v = params.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue()))
    throw Napi::TypeError::New(params.Env(), std::string("Expected a finite number for ") + key);
  return v.As<Napi::Number>().DoubleValue();
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FloatArray a = float_array(info[0], "A");
  const std::size_t a_rows = size_arg(info[1], "A.rows"), a_cols = size_arg(info[2], "A.cols");
  const FloatArray b = float_array(info[3], "B");
  const std::size_t b_rows = size_arg(info[4], "B.rows"), b_cols = size_arg(info[5], "B.cols");
  check_shape(a, a_rows, a_cols, "A");
  check_shape(b, b_rows, b_cols, "B");
  if (a.is_float32 != b.is_float32) throw Napi::TypeError::New(env, "Expected A and B of the same float type");
  const Napi::Object params = info[6].IsObject() ? info[6].As<Napi::Object>() : Napi::Object::New(env);

  GemmShape shape;
  shape.trans_a = params.Get("transA").ToBoolean().Value();
  shape.trans_b = params.Get("transB").ToBoolean().Value();
  shape.m = shape.trans_a ? a_cols : a_rows;
  shape.k = shape.trans_a ? a_rows : a_cols;
  shape.n = shape.trans_b ? b_rows : b_cols;
  const std::size_t b_k = shape.trans_b ? b_cols : b_rows;
  if (b_k != shape.k)
    throw Napi::RangeError::New(env, "Expected op(B) with " + std::to_string(shape.k) +
                                         " rows (the columns of op(A)) but received " + std::to_string(b_k));
  const double alpha = number_param(params, "alpha", 1.0);
  double beta = number_param(params, "beta", 0.0);

  const std::size_t out_length = shape.m * shape.n;
  Napi::TypedArray out = a.is_float32 ? Napi::TypedArray(Napi::Float32Array::New(env, out_length))
                                      : Napi::TypedArray(Napi::Float64Array::New(env, out_length));
  void* out_data = typed_array_data(out);
  const Napi::Value c_value = params.Get("C");
  if (!c_value.IsUndefined() && beta != 0.0) {
    const FloatArray c = float_array(c_value, "C");
    if (c.is_float32 != a.is_float32) throw Napi::TypeError::New(env, "Expected C of the same float type as A");
    if (c.length != out_length)
      throw Napi::RangeError::New(env, "Expected C of length m * n = " + std::to_string(out_length) +
                                           " but received length " + std::to_string(c.length));
    std::memcpy(out_data, c.data, out_length * element_size(c));
  } else {
    beta = 0.0;  // no C: nothing to add (and BLAS must not read the output)
  }
  const double flops = 2.0 * static_cast<double>(shape.m) * static_cast<double>(shape.n) * static_cast<double>(shape.k);
  return Job::Start(
      env, JobOptions::parse(info[7]), {a.value, b.value, out}, flops,
      [=](const ExecContext& ctx) {
        if (a.is_float32)
          gemm(shape, static_cast<float>(alpha), static_cast<const float*>(a.data), static_cast<const float*>(b.data),
               static_cast<float>(beta), static_cast<float*>(out_data), ctx);
        else
          gemm(shape, alpha, static_cast<const double*>(a.data), static_cast<const double*>(b.data), beta,
               static_cast<double*>(out_data), ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[2].Value(); });
}

}  // namespace

void register_linalg(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
}

}  // namespace threadml::binding
