// gemm(A, aRows, aCols, B, bRows, bCols, params, options)
// gemmBatched(A, aBatch, aRows, aCols, B, bBatch, bRows, bCols, params, options)
//   params: {transA, transB, alpha, beta, C}; resolves to a new row-major array of batch x m x n
//   (C holds one m x n matrix, broadcast to every item, or one per item).
// gemv(A, rows, cols, x, params: {trans, alpha, beta, y}, options) -> new vector
// axpy(alpha, x, y, options) -> new vector alpha * x + y
// transpose(A, rows, cols, options) -> new cols x rows array
// lib/ops/linalg.ts checks everything first; these checks only keep C++ in bounds whatever JS passes.
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "binding/args.h"
#include "binding/job.h"
#include "io/memory.h"
#include "kernels/blas.h"

namespace threadml::binding {

namespace {

constexpr std::size_t kMaxBlasDim = INT_MAX;  // OpenBLAS takes int dimensions

std::string shape_text(std::size_t batch, std::size_t rows, std::size_t cols) {
  return (batch == 1 ? "" : std::to_string(batch) + " x ") + std::to_string(rows) + " x " + std::to_string(cols);
}

// A float array holding `batch` row-major rows x cols matrices.
struct Operand {
  FloatArray array;
  std::size_t batch = 1, rows = 0, cols = 0;
  std::size_t size() const { return rows * cols; }
};

Operand operand(const Napi::CallbackInfo& info, std::size_t at, bool batched, const char* name) {
  Operand x;
  x.array = float_array(info[at], name);
  if (batched) x.batch = size_arg(info[++at], name);
  x.rows = size_arg(info[at + 1], name);
  x.cols = size_arg(info[at + 2], name);
  const std::size_t length = x.array.length;
  if (x.batch == 0 || x.rows == 0 || x.cols == 0 || x.rows > kMaxBlasDim || x.cols > kMaxBlasDim ||
      x.rows > length / x.cols || x.batch > length / x.size() || x.batch * x.size() != length)
    throw Napi::RangeError::New(info.Env(), std::string("Expected a shape matching its data (length ") +
                                                std::to_string(length) + ") for " + name + " but received " +
                                                shape_text(x.batch, x.rows, x.cols));
  return x;
}

void check_same_type(const FloatArray& x, const FloatArray& like, const char* name) {
  if (x.is_float32 != like.is_float32)
    throw Napi::TypeError::New(x.value.Env(), std::string("Expected a ") + (like.is_float32 ? "Float32Array" : "Float64Array") +
                                                  " (the type of A) for " + name);
}

double number_arg(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string("Expected a number for ") + name);
  const double x = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x)) throw Napi::RangeError::New(v.Env(), std::string("Expected a finite number for ") + name);
  return x;
}

double number_param(const Napi::Object& params, const char* key, double fallback) {
  const Napi::Value v = params.Get(key);
  return v.IsUndefined() ? fallback : number_arg(v, key);
}

Napi::Object params_arg(const Napi::Value& v) {
  return v.IsObject() ? v.As<Napi::Object>() : Napi::Object::New(v.Env());
}

// Results of at least this many bytes live in blocks that are reused once the GC frees them
// (io/memory.h): their pages are already faulted in. Smaller ones are V8's own memory.
constexpr std::size_t kReusedResultBytes = std::size_t{64} << 10;

// A new output array of the float type of `like`, and its memory (not zeroed: every op writes it all).
std::pair<Napi::TypedArray, void*> new_like(Napi::Env env, const FloatArray& like, std::size_t length) {
  const std::size_t bytes = length * element_size(like);
  if (bytes < kReusedResultBytes) {
    Napi::TypedArray out = like.is_float32 ? Napi::TypedArray(Napi::Float32Array::New(env, length))
                                           : Napi::TypedArray(Napi::Float64Array::New(env, length));
    return {out, typed_array_data(out)};
  }
  void* data = take_block(bytes);
  Napi::ArrayBuffer buffer;
  try {
    buffer = Napi::ArrayBuffer::New(env, data, bytes, [bytes](Napi::Env finalizing, void* p) {
      give_block(p, bytes);
      Napi::MemoryManagement::AdjustExternalMemory(finalizing, -static_cast<int64_t>(bytes));
    });
  } catch (...) {
    give_block(data, bytes);
    throw;
  }
  // V8 does not count memory it did not allocate: told, it collects dead results as often as before.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  Napi::TypedArray out = like.is_float32 ? Napi::TypedArray(Napi::Float32Array::New(env, length, buffer, 0))
                                         : Napi::TypedArray(Napi::Float64Array::New(env, length, buffer, 0));
  return {out, data};
}

// The optional input added with weight beta (C of gemm, y of gemv): pinned, and read in the job.
struct Addend {
  FloatArray array;
  bool used = false;
};

Addend addend(const Napi::Object& params, const char* key, double beta, const FloatArray& like,
              std::size_t length, std::size_t alt_length) {
  Addend out;
  const Napi::Value v = params.Get(key);
  if (v.IsUndefined() || beta == 0.0) return out;  // nothing to add: the kernel never reads it
  out.array = float_array(v, key);
  check_same_type(out.array, like, key);
  if (out.array.length != length && out.array.length != alt_length)
    throw Napi::RangeError::New(v.Env(), std::string("Expected an array of length ") + std::to_string(length) + " for " +
                                             key + " but received length " + std::to_string(out.array.length));
  out.used = true;
  return out;
}

template <class T>
const T* data_of(const FloatArray& x) {
  return static_cast<const T*>(x.data);
}

Napi::Value StartGemm(const Napi::CallbackInfo& info, bool batched) {
  Napi::Env env = info.Env();
  const std::size_t b_at = batched ? 4 : 3;
  const Operand a = operand(info, 0, batched, "A");
  const Operand b = operand(info, b_at, batched, "B");
  check_same_type(b.array, a.array, "B");
  if (a.batch != b.batch && a.batch != 1 && b.batch != 1)
    throw Napi::RangeError::New(env, "Expected batches of equal size (or one of size 1) for A and B but received " +
                                         std::to_string(a.batch) + " and " + std::to_string(b.batch));
  const Napi::Object params = params_arg(info[b_at + 3 + (batched ? 1 : 0)]);
  const Napi::Value options = info[b_at + 4 + (batched ? 1 : 0)];

  GemmShape shape;
  shape.trans_a = params.Get("transA").ToBoolean().Value();
  shape.trans_b = params.Get("transB").ToBoolean().Value();
  shape.m = shape.trans_a ? a.cols : a.rows;
  shape.k = shape.trans_a ? a.rows : a.cols;
  shape.n = shape.trans_b ? b.rows : b.cols;
  const std::size_t b_k = shape.trans_b ? b.cols : b.rows;
  if (b_k != shape.k)
    throw Napi::RangeError::New(env, "Expected op(B) with " + std::to_string(shape.k) +
                                         " rows (the columns of op(A)) but received " + std::to_string(b_k));
  GemmBatch batch;
  batch.count = std::max(a.batch, b.batch);
  batch.stride_a = a.batch == 1 ? 0 : a.size();
  batch.stride_b = b.batch == 1 ? 0 : b.size();
  const std::size_t item = shape.m * shape.n;
  if (item > SIZE_MAX / batch.count) throw Napi::RangeError::New(env, "Expected a result small enough to allocate");
  const double alpha = number_param(params, "alpha", 1.0);
  const double beta = number_param(params, "beta", 0.0);
  const Addend c0 = addend(params, "C", beta, a.array, item, batch.count * item);
  batch.stride_c0 = c0.used && c0.array.length != item ? item : 0;

  const auto [out, out_data] = new_like(env, a.array, batch.count * item);
  std::vector<Napi::Value> pins = {out, a.array.value, b.array.value};
  if (c0.used) pins.push_back(c0.array.value);
  const double flops = 2.0 * static_cast<double>(item) * static_cast<double>(shape.k) * static_cast<double>(batch.count);
  const bool f32 = a.array.is_float32;
  // Job::Start's cost is in bytes streamed; one core does ~4 float64 (8 float32) GEMM flops in that
  // time, so products up to ~7 µs of work run inline (measured: the hop to the pool costs 11-15 µs).
  const double cost = flops / (f32 ? 8.0 : 4.0);
  return Job::Start(
      env, JobOptions::parse(options), pins, cost,
      [=, a = a.array, b = b.array, c0 = c0.array, c0_used = c0.used](const ExecContext& ctx) {
        if (f32)
          gemm(shape, batch, static_cast<float>(alpha), data_of<float>(a), data_of<float>(b), static_cast<float>(beta),
               c0_used ? data_of<float>(c0) : nullptr, static_cast<float*>(out_data), ctx);
        else
          gemm(shape, batch, alpha, data_of<double>(a), data_of<double>(b), beta,
               c0_used ? data_of<double>(c0) : nullptr, static_cast<double*>(out_data), ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[0].Value(); });
}

Napi::Value Gemm(const Napi::CallbackInfo& info) { return StartGemm(info, false); }

Napi::Value GemmBatched(const Napi::CallbackInfo& info) { return StartGemm(info, true); }

Napi::Value Gemv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Operand a = operand(info, 0, false, "A");
  const FloatArray x = float_array(info[3], "x");
  check_same_type(x, a.array, "x");
  const Napi::Object params = params_arg(info[4]);
  GemvShape shape;
  shape.trans = params.Get("trans").ToBoolean().Value();
  shape.m = a.rows;
  shape.n = a.cols;
  const std::size_t x_length = shape.trans ? a.rows : a.cols;
  const std::size_t y_length = shape.trans ? a.cols : a.rows;
  if (x.length != x_length)
    throw Napi::RangeError::New(env, "Expected an array of length " + std::to_string(x_length) +
                                         " (the columns of op(A)) for x but received length " + std::to_string(x.length));
  const double alpha = number_param(params, "alpha", 1.0);
  const double beta = number_param(params, "beta", 0.0);
  const Addend y0 = addend(params, "y", beta, a.array, y_length, y_length);

  const auto [out, out_data] = new_like(env, a.array, y_length);
  std::vector<Napi::Value> pins = {out, a.array.value, x.value};
  if (y0.used) pins.push_back(y0.array.value);
  return Job::Start(
      env, JobOptions::parse(info[5]), pins, static_cast<double>(a.size() * element_size(a.array)),
      [=, a = a.array, y0 = y0.array, y0_used = y0.used](const ExecContext& ctx) {
        if (a.is_float32)
          gemv(shape, static_cast<float>(alpha), data_of<float>(a), data_of<float>(x), static_cast<float>(beta),
               y0_used ? data_of<float>(y0) : nullptr, static_cast<float*>(out_data), ctx);
        else
          gemv(shape, alpha, data_of<double>(a), data_of<double>(x), beta, y0_used ? data_of<double>(y0) : nullptr,
               static_cast<double*>(out_data), ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[0].Value(); });
}

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double alpha = number_arg(info[0], "alpha");
  const FloatArray x = float_array(info[1], "x");
  const FloatArray y = float_array(info[2], "y");
  if (x.is_float32 != y.is_float32) throw Napi::TypeError::New(env, "Expected x and y of the same float type");
  if (x.length != y.length)
    throw Napi::RangeError::New(env, "Expected an array of length " + std::to_string(x.length) +
                                         " (the length of x) for y but received length " + std::to_string(y.length));
  const auto [out, out_data] = new_like(env, x, x.length);
  return Job::Start(
      env, JobOptions::parse(info[3]), {out, x.value, y.value}, static_cast<double>(3 * x.length * element_size(x)),
      [=](const ExecContext& ctx) {
        if (x.is_float32)
          axpy(x.length, static_cast<float>(alpha), data_of<float>(x), data_of<float>(y), static_cast<float*>(out_data), ctx);
        else
          axpy(x.length, alpha, data_of<double>(x), data_of<double>(y), static_cast<double*>(out_data), ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[0].Value(); });
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Operand a = operand(info, 0, false, "A");
  const auto [out, out_data] = new_like(env, a.array, a.size());
  return Job::Start(
      env, JobOptions::parse(info[3]), {out, a.array.value}, static_cast<double>(2 * a.size() * element_size(a.array)),
      [=, in = a.array, rows = a.rows, cols = a.cols](const ExecContext& ctx) {
        if (in.is_float32)
          transpose(rows, cols, data_of<float>(in), static_cast<float*>(out_data), ctx);
        else
          transpose(rows, cols, data_of<double>(in), static_cast<double*>(out_data), ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[0].Value(); });
}

}  // namespace

void register_linalg(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("gemmBatched", Napi::Function::New(env, GemmBatched, "gemmBatched"));
  exports.Set("gemv", Napi::Function::New(env, Gemv, "gemv"));
  exports.Set("axpy", Napi::Function::New(env, Axpy, "axpy"));
  exports.Set("transpose", Napi::Function::New(env, Transpose, "transpose"));
}

}  // namespace threadml::binding
