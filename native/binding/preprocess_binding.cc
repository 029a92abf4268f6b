// The preprocessing kernels (native/preprocess/) as Promise-returning jobs. Matrices arrive as
// (x, rows, cols); per-column parameters as Float64Arrays; lib/preprocessing/ has validated them.
//   columnMoments(x, rows, cols, wantM2, options)          -> {count, mean, m2}
//   columnExtremes(x, rows, cols, options)                 -> {min, max}
//   columnQuantiles(x, rows, cols, median, percentiles, options) -> Float64Array ((median + nq) x cols)
//   columnModes(x, rows, cols, options)                    -> Float64Array
//   columnUniques(x, rows, cols, skipNaN, options)         -> {values, counts, offsets}
//   columnAffine(x, rows, cols, shift, factor, multiplyAdd, clip | undefined, options) -> x's type
//   normalizeRows(x, rows, cols, 'l1' | 'l2' | 'max', options)        -> x's type
//   imputeColumns(x, rows, cols, missing, fill, keep, options)         -> x's type, rows x keep.length
//   checkValues(x, rows, cols, allowNaN, options)          -> undefined (rejects on a refused value)
//   encodeColumns(x, rows, cols, categories, offsets, options)         -> Int32Array
//   oneHot(codes, rows, cols, offsets, float32, options)   -> Float32Array | Float64Array
//   takeRows(x, rows, cols, index, options)                -> x's type, index.length x cols
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "binding/args.h"
#include "binding/job.h"
#include "preprocess/column_stats.h"
#include "preprocess/common.h"
#include "preprocess/encode.h"
#include "preprocess/transform.h"

namespace threadml::binding {

namespace {

using namespace threadml::preprocess;

struct MatrixArg {
  FloatArray x;
  std::size_t rows = 0, cols = 0;
  double bytes() const { return static_cast<double>(x.length * element_size(x)); }
};

MatrixArg matrix_arg(const Napi::CallbackInfo& info, std::size_t at) {
  MatrixArg m{float_array(info[at], "X"), size_arg(info[at + 1], "rows"), size_arg(info[at + 2], "cols")};
  if (m.rows == 0 || m.cols == 0 || m.rows > m.x.length / m.cols || m.rows * m.cols != m.x.length)
    throw Napi::RangeError::New(info.Env(), "Expected rows * cols to equal the length of X (" + std::to_string(m.x.length) +
                                                ") but received " + std::to_string(m.rows) + " * " + std::to_string(m.cols));
  return m;
}

// Calls f with x's data as const double* or const float*.
template <class F>
void with_data(const FloatArray& x, F&& f) {
  if (x.is_float32) f(static_cast<const float*>(x.data));
  else f(static_cast<const double*>(x.data));
}

template <class P>
using Element = std::remove_cv_t<std::remove_pointer_t<P>>;

// A new (zeroed, untouched) output array, on huge pages where the system allows.
Napi::TypedArray new_float_array(Napi::Env env, bool float32, std::size_t length) {
  Napi::TypedArray out = float32 ? Napi::TypedArray(Napi::Float32Array::New(env, length))
                                 : Napi::TypedArray(Napi::Float64Array::New(env, length));
  advise_huge_pages(typed_array_data(out), length * (float32 ? sizeof(float) : sizeof(double)));
  return out;
}

// A Float64Array of exactly `length` values (length 0: any length).
const double* float64_arg(const Napi::Value& value, const char* name, std::size_t length) {
  const FloatArray a = float_array(value, name);
  if (a.is_float32 || (length != 0 && a.length != length))
    throw Napi::RangeError::New(value.Env(), std::string("Expected a Float64Array of length ") + std::to_string(length) +
                                                 " for " + name);
  return static_cast<const double*>(a.data);
}

struct Int32Arg {
  Napi::TypedArray value;
  const int32_t* data = nullptr;
  std::size_t length = 0;
};

Int32Arg int32_arg(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(value.Env(), std::string("Expected an Int32Array for ") + name);
  const Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (is_detached(array)) throw Napi::TypeError::New(value.Env(), std::string("Expected an attached buffer for ") + name);
  return Int32Arg{array, static_cast<const int32_t*>(typed_array_data(array)), array.ElementLength()};
}

// Column offsets into a concatenation of per-column lists: cols + 1 ascending values from 0.
void check_offsets(const Int32Arg& offsets, std::size_t cols, std::size_t total, const char* name) {
  bool ok = offsets.length == cols + 1 && offsets.data[0] == 0 &&
            static_cast<std::size_t>(offsets.data[cols]) == total;
  for (std::size_t j = 0; ok && j < cols; ++j) ok = offsets.data[j] <= offsets.data[j + 1];
  if (!ok)
    throw Napi::RangeError::New(offsets.value.Env(), std::string("Expected ") + std::to_string(cols + 1) +
                                                         " ascending offsets from 0 to " + std::to_string(total) + " for " + name);
}

Napi::Float64Array to_js(Napi::Env env, const std::vector<double>& values) {
  Napi::Float64Array out = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), out.Data());
  return out;
}

// The result of a job that filled the pinned array at pins[index].
Job::Finish pinned(std::size_t index) {
  return [index](Napi::Env, const Job::Pins& pins) { return pins[index].Value(); };
}

Napi::Value ColumnMoments_(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const bool want_m2 = info[3].ToBoolean().Value();
  auto result = std::make_shared<ColumnMoments>();
  return Job::Start(
      info.Env(), JobOptions::parse(info[4]), {m.x.value}, m.bytes() * (want_m2 ? 2 : 1),
      [m, want_m2, result](const ExecContext& ctx) {
        with_data(m.x, [&](auto* x) { *result = column_moments(x, m.rows, m.cols, want_m2, ctx); });
      },
      [result](Napi::Env env, const Job::Pins&) {
        Napi::Object out = Napi::Object::New(env);
        out.Set("count", to_js(env, result->count));
        out.Set("mean", to_js(env, result->mean));
        out.Set("m2", to_js(env, result->m2));
        return out;
      });
}

Napi::Value ColumnExtremes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  Napi::Float64Array min = Napi::Float64Array::New(env, m.cols), max = Napi::Float64Array::New(env, m.cols);
  double* lo = min.Data();
  double* hi = max.Data();
  return Job::Start(
      env, JobOptions::parse(info[3]), {m.x.value, min, max}, 2 * m.bytes(),
      [m, lo, hi](const ExecContext& ctx) { with_data(m.x, [&](auto* x) { column_extremes(x, m.rows, m.cols, lo, hi, ctx); }); },
      [](Napi::Env e, const Job::Pins& pins) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("min", pins[1].Value());
        out.Set("max", pins[2].Value());
        return out;
      });
}

Napi::Value ColumnQuantiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  const bool median = info[3].ToBoolean().Value();
  const FloatArray q = float_array(info[4], "percentiles");
  const double* percentiles = float64_arg(info[4], "percentiles", 0);
  for (std::size_t i = 0; i < q.length; ++i)
    if (!(percentiles[i] >= 0.0 && percentiles[i] <= 100.0))
      throw Napi::RangeError::New(env, "Expected percentiles from 0 to 100 for percentiles");
  const std::size_t nq = q.length;
  Napi::Float64Array out = Napi::Float64Array::New(env, ((median ? 1 : 0) + nq) * m.cols);
  double* data = out.Data();
  return Job::Start(
      env, JobOptions::parse(info[5]), {m.x.value, q.value, out}, 2 * m.bytes(),
      [m, median, percentiles, nq, data](const ExecContext& ctx) {
        with_data(m.x, [&](auto* x) { column_quantiles(x, m.rows, m.cols, median, percentiles, nq, data, ctx); });
      },
      pinned(2));
}

Napi::Value ColumnModes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  Napi::Float64Array out = Napi::Float64Array::New(env, m.cols);
  double* data = out.Data();
  return Job::Start(
      env, JobOptions::parse(info[3]), {m.x.value, out}, 2 * m.bytes(),
      [m, data](const ExecContext& ctx) { with_data(m.x, [&](auto* x) { column_modes(x, m.rows, m.cols, data, ctx); }); },
      pinned(1));
}

Napi::Value ColumnUniques_(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const bool skip_nan = info[3].ToBoolean().Value();
  auto result = std::make_shared<ColumnUniques>();
  return Job::Start(
      info.Env(), JobOptions::parse(info[4]), {m.x.value}, 2 * m.bytes(),
      [m, skip_nan, result](const ExecContext& ctx) {
        with_data(m.x, [&](auto* x) { *result = column_uniques(x, m.rows, m.cols, skip_nan, ctx); });
      },
      [result](Napi::Env env, const Job::Pins&) {
        Napi::Object out = Napi::Object::New(env);
        out.Set("values", to_js(env, result->values));
        out.Set("counts", to_js(env, result->counts));
        out.Set("offsets", to_js(env, std::vector<double>(result->offsets.begin(), result->offsets.end())));
        return out;
      });
}

// Starts a job whose kernel(x, out, ctx) writes a new array of x's float type and out_length
// elements, which the Promise resolves to. x and `pins` stay referenced while it runs.
template <class Kernel>
Napi::Promise new_array_job(const MatrixArg& m, std::size_t out_length, std::vector<Napi::Value> pins,
                            const Napi::Value& options, double cost, Kernel kernel) {
  Napi::Env env = m.x.value.Env();
  const JobOptions job_options = JobOptions::parse(options);
  Napi::TypedArray out = new_float_array(env, m.x.is_float32, out_length);
  void* out_data = typed_array_data(out);
  pins.push_back(m.x.value);
  pins.push_back(out);
  return Job::Start(
      env, job_options, pins, cost,
      [x = m.x, out_data, kernel](const ExecContext& ctx) {
        with_data(x, [&](auto* data) { kernel(data, static_cast<Element<decltype(data)>*>(out_data), ctx); });
      },
      pinned(pins.size() - 1));
}

Napi::Value ColumnAffine(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  AffineParams params;
  params.shift = float64_arg(info[3], "shift", m.cols);
  params.factor = float64_arg(info[4], "factor", m.cols);
  params.form = info[5].ToBoolean().Value() ? AffineForm::MultiplyAdd : AffineForm::SubtractDivide;
  if (!info[6].IsUndefined()) {
    const double* clip = float64_arg(info[6], "clip", 2);
    if (!(clip[0] <= clip[1])) throw Napi::RangeError::New(info.Env(), "Expected clip[0] <= clip[1] for clip");
    params.clip = true;
    params.lo = clip[0];
    params.hi = clip[1];
  }
  return new_array_job(m, m.x.length, {info[3], info[4]}, info[7], 2 * m.bytes(),
                       [m, params](auto* x, auto* out, const ExecContext& ctx) {
                         column_affine(x, m.rows, m.cols, params, out, ctx);
                       });
}

Napi::Value NormalizeRows(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const std::string norm = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
  if (norm != "l1" && norm != "l2" && norm != "max")
    throw Napi::RangeError::New(info.Env(), "Expected 'l1', 'l2' or 'max' for norm");
  const ReduceOp op = norm == "l1" ? ReduceOp::Norm1 : norm == "l2" ? ReduceOp::Norm2 : ReduceOp::NormInf;
  return new_array_job(m, m.x.length, {}, info[4], 3 * m.bytes(), [m, op](auto* x, auto* out, const ExecContext& ctx) {
    normalize_rows(x, m.rows, m.cols, op, out, ctx);
  });
}

Napi::Value ImputeColumns(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const double missing = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0.0;
  if (!info[3].IsNumber() || std::isinf(missing))
    throw Napi::TypeError::New(info.Env(), "Expected NaN or a finite number for missing");
  const Int32Arg keep = int32_arg(info[5], "keep");
  if (keep.length == 0) throw Napi::RangeError::New(info.Env(), "Expected at least one column for keep");
  const double* fill = float64_arg(info[4], "fill", keep.length);
  return new_array_job(m, m.rows * keep.length, {info[4], keep.value}, info[6], 2 * m.bytes(),
                       [m, missing, fill, keep = keep.data, n = keep.length](auto* x, auto* out, const ExecContext& ctx) {
                         impute_columns(x, m.rows, m.cols, missing, fill, keep, n, out, ctx);
                       });
}

Napi::Value CheckValues(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const bool allow_nan = info[3].ToBoolean().Value();
  return Job::Start(
      info.Env(), JobOptions::parse(info[4]), {m.x.value}, m.bytes(),
      [m, allow_nan](const ExecContext& ctx) {
        with_data(m.x, [&](auto* x) { reject_refused(x, m.rows, m.cols, allow_nan, ctx); });
      },
      [](Napi::Env env, const Job::Pins&) { return env.Undefined(); });
}

Napi::Value EncodeColumns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  const FloatArray categories = float_array(info[3], "categories");
  const double* category_data = float64_arg(info[3], "categories", 0);
  const Int32Arg offsets = int32_arg(info[4], "offsets");
  check_offsets(offsets, m.cols, categories.length, "offsets");
  Napi::Int32Array codes = Napi::Int32Array::New(env, m.x.length);
  int32_t* code_data = codes.Data();
  const int32_t* offset_data = offsets.data;
  return Job::Start(
      env, JobOptions::parse(info[5]), {m.x.value, categories.value, offsets.value, codes}, 1.5 * m.bytes(),
      [m, category_data, offset_data, code_data](const ExecContext& ctx) {
        with_data(m.x, [&](auto* x) { encode_columns(x, m.rows, m.cols, category_data, offset_data, code_data, ctx); });
      },
      pinned(3));
}

Napi::Value OneHot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Int32Arg codes = int32_arg(info[0], "codes");
  const std::size_t rows = size_arg(info[1], "rows"), cols = size_arg(info[2], "cols");
  if (rows == 0 || cols == 0 || rows > codes.length / cols || rows * cols != codes.length)
    throw Napi::RangeError::New(env, "Expected rows * cols to equal the length of codes (" + std::to_string(codes.length) + ")");
  const Int32Arg offsets = int32_arg(info[3], "offsets");
  const std::size_t width = offsets.length == cols + 1 ? static_cast<std::size_t>(std::max(offsets.data[cols], 0)) : 0;
  check_offsets(offsets, cols, width, "offsets");
  if (width == 0 || rows > std::numeric_limits<std::size_t>::max() / width)
    throw Napi::RangeError::New(env, "Expected at least one category for offsets");
  const bool float32 = info[4].ToBoolean().Value();
  Napi::TypedArray out = new_float_array(env, float32, rows * width);
  void* out_data = typed_array_data(out);
  const int32_t* code_data = codes.data;
  const int32_t* offset_data = offsets.data;
  return Job::Start(
      env, JobOptions::parse(info[5]), {codes.value, offsets.value, out},
      static_cast<double>(rows * (width * (float32 ? 4 : 8) + cols * 4)),
      [=](const ExecContext& ctx) {
        if (float32) one_hot(code_data, rows, cols, offset_data, static_cast<float*>(out_data), ctx);
        else one_hot(code_data, rows, cols, offset_data, static_cast<double*>(out_data), ctx);
      },
      pinned(2));
}

Napi::Value TakeRows(const Napi::CallbackInfo& info) {
  const MatrixArg m = matrix_arg(info, 0);
  const Int32Arg index = int32_arg(info[3], "index");
  return new_array_job(m, index.length * m.cols, {index.value}, info[4],
                       2.0 * static_cast<double>(index.length * m.cols * element_size(m.x)),
                       [m, index = index.data, n = index.length](auto* x, auto* out, const ExecContext& ctx) {
                         take_rows(x, m.rows, m.cols, index, n, out, ctx);
                       });
}

}  // namespace

void register_preprocess(Napi::Env env, Napi::Object exports) {
  exports.Set("columnMoments", Napi::Function::New(env, ColumnMoments_, "columnMoments"));
  exports.Set("columnExtremes", Napi::Function::New(env, ColumnExtremes, "columnExtremes"));
  exports.Set("columnQuantiles", Napi::Function::New(env, ColumnQuantiles, "columnQuantiles"));
  exports.Set("columnModes", Napi::Function::New(env, ColumnModes, "columnModes"));
  exports.Set("columnUniques", Napi::Function::New(env, ColumnUniques_, "columnUniques"));
  exports.Set("columnAffine", Napi::Function::New(env, ColumnAffine, "columnAffine"));
  exports.Set("normalizeRows", Napi::Function::New(env, NormalizeRows, "normalizeRows"));
  exports.Set("imputeColumns", Napi::Function::New(env, ImputeColumns, "imputeColumns"));
  exports.Set("checkValues", Napi::Function::New(env, CheckValues, "checkValues"));
  exports.Set("encodeColumns", Napi::Function::New(env, EncodeColumns, "encodeColumns"));
  exports.Set("oneHot", Napi::Function::New(env, OneHot, "oneHot"));
  exports.Set("takeRows", Napi::Function::New(env, TakeRows, "takeRows"));
}

}  // namespace threadml::binding
