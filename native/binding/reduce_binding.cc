// reduce(op, x, params, options), reduceAxis(op, x, rows, cols, axis, params, options),
// dot(x, y, options), streamSum(x, options): each returns a Promise.
#include <cmath>
#include <cstdint>
#include <memory>
#include <limits>

#include "binding/args.h"
#include "binding/job.h"
#include "kernels/reduce.h"

namespace threadml::binding {

namespace {

ReduceParams reduce_params(const Napi::Value& op_value, const Napi::Value& params_value) {
  ReduceParams params;
  params.op = static_cast<ReduceOp>(int_arg(op_value, "op", 0, kReduceOpCount - 1));
  if (params_value.IsObject()) {
    const Napi::Object object = params_value.As<Napi::Object>();
    params.skip_nan = object.Get("skipNaN").ToBoolean().Value();
    const Napi::Value ddof = object.Get("ddof");
    if (!ddof.IsUndefined()) {
      params.ddof = ddof.IsNumber() ? ddof.As<Napi::Number>().DoubleValue() : -1.0;
      if (!(params.ddof >= 0.0) || !std::isfinite(params.ddof))
        throw Napi::RangeError::New(params_value.Env(), "Expected a finite number >= 0 for ddof");
    }
  }
  return params;
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ReduceParams params = reduce_params(info[0], info[2]);
  const FloatArray x = float_array(info[1], "x");
  auto result = std::make_shared<double>(0.0);
  return Job::Start(
      env, JobOptions::parse(info[3]), {x.value}, static_cast<double>(x.length * element_size(x)),
      [x, params, result](const ExecContext& ctx) {
        *result = x.is_float32 ? reduce(static_cast<const float*>(x.data), x.length, params, ctx)
                               : reduce(static_cast<const double*>(x.data), x.length, params, ctx);
      },
      [result](Napi::Env e, const Job::Pins&) { return Napi::Number::New(e, *result); });
}

Napi::Value ReduceAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ReduceParams params = reduce_params(info[0], info[5]);
  const FloatArray x = float_array(info[1], "x");
  const std::size_t rows = size_arg(info[2], "rows");
  const std::size_t cols = size_arg(info[3], "cols");
  const int axis = int_arg(info[4], "axis", 0, 1);
  if (rows == 0 || cols == 0 || rows > x.length / cols || rows * cols != x.length)
    throw Napi::RangeError::New(env, "Expected rows * cols to equal the length of x (" + std::to_string(x.length) +
                                         ") but received " + std::to_string(rows) + " * " + std::to_string(cols));
  const std::size_t out_length = axis == 0 ? cols : rows;
  const std::size_t reduced_length = axis == 0 ? rows : cols;
  const bool arg = is_arg_op(params.op);
  if (arg && reduced_length > static_cast<std::size_t>(std::numeric_limits<int32_t>::max()))
    throw Napi::RangeError::New(env, "Expected at most 2^31 - 1 elements along the reduced axis for argmin/argmax");
  Napi::TypedArray out;
  if (arg) out = Napi::Int32Array::New(env, out_length);
  else if (x.is_float32) out = Napi::Float32Array::New(env, out_length);
  else out = Napi::Float64Array::New(env, out_length);
  void* out_data = typed_array_data(out);
  return Job::Start(
      env, JobOptions::parse(info[6]), {x.value, out}, static_cast<double>(x.length * element_size(x)),
      [=](const ExecContext& ctx) {
        int32_t* index = arg ? static_cast<int32_t*>(out_data) : nullptr;
        if (x.is_float32)
          reduce_axis(static_cast<const float*>(x.data), rows, cols, axis, params,
                      arg ? nullptr : static_cast<float*>(out_data), index, ctx);
        else
          reduce_axis(static_cast<const double*>(x.data), rows, cols, axis, params,
                      arg ? nullptr : static_cast<double*>(out_data), index, ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[1].Value(); });
}

Napi::Value Dot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FloatArray x = float_array(info[0], "x");
  const FloatArray y = float_array(info[1], "y");
  if (x.is_float32 != y.is_float32)
    throw Napi::TypeError::New(env, "Expected x and y of the same float type");
  if (x.length != y.length)
    throw Napi::RangeError::New(env, "Expected y of length " + std::to_string(x.length) + " but received length " +
                                         std::to_string(y.length));
  auto result = std::make_shared<double>(0.0);
  return Job::Start(
      env, JobOptions::parse(info[2]), {x.value, y.value}, 2 * static_cast<double>(x.length * element_size(x)),
      [x, y, result](const ExecContext& ctx) {
        *result = x.is_float32
                      ? dot(static_cast<const float*>(x.data), static_cast<const float*>(y.data), x.length, ctx)
                      : dot(static_cast<const double*>(x.data), static_cast<const double*>(y.data), x.length, ctx);
      },
      [result](Napi::Env e, const Job::Pins&) { return Napi::Number::New(e, *result); });
}

Napi::Value StreamSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FloatArray x = float_array(info[0], "x");
  if (x.is_float32) throw Napi::TypeError::New(env, "Expected a Float64Array for x");
  auto result = std::make_shared<double>(0.0);
  return Job::Start(
      env, JobOptions::parse(info[1]), {x.value}, static_cast<double>(x.length * element_size(x)),
      [x, result](const ExecContext& ctx) { *result = stream_sum(static_cast<const double*>(x.data), x.length, ctx); },
      [result](Napi::Env e, const Job::Pins&) { return Napi::Number::New(e, *result); });
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("reduceAxis", Napi::Function::New(env, ReduceAxis, "reduceAxis"));
  exports.Set("dot", Napi::Function::New(env, Dot, "dot"));
  exports.Set("streamSum", Napi::Function::New(env, StreamSum, "streamSum"));
}

}  // namespace threadml::binding
