// logisticFit(X, rows, cols, y, sampleWeight, params, start, options)
//   -> Promise<{coef, intercept, nIter: Int32Array, converged}> (coef and intercept in X's float type)
// logisticObjective(X, rows, cols, y, sampleWeight, params, model, options)
//   -> Promise<{value, coefGradient: Float64Array, interceptGradient: Float64Array}>
// logisticPredict(X, rows, cols, coef, intercept, params, options) -> Promise<Float32/64Array | Int32Array>
// params: {classes, multinomial, penalty, C, l1Ratio, fitIntercept, tol, maxIter, solver, seed,
// balancedOvr, mode}; model and start: {coef: Float64Array, intercept: Float64Array}.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "binding/args.h"
#include "binding/job.h"
#include "linear/logistic.h"

namespace threadml::binding {

namespace {

using linear::LogisticModel;
using linear::LogisticParams;

LogisticParams logistic_params(const Napi::Value& value) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "Expected an object for params");
  const Napi::Object p = value.As<Napi::Object>();
  LogisticParams params;
  params.classes = int_arg(p.Get("classes"), "params.classes", 2, 1 << 20);
  params.multinomial = p.Get("multinomial").ToBoolean().Value();
  params.penalty = static_cast<linear::Penalty>(int_arg(p.Get("penalty"), "params.penalty", 0, 3));
  params.C = number_field(p, "C", 1e-300, 1e300);
  params.l1_ratio = number_field(p, "l1Ratio", 0.0, 1.0);
  params.fit_intercept = p.Get("fitIntercept").ToBoolean().Value();
  params.tol = number_field(p, "tol", 0.0, 1e300);
  params.max_iter = int_arg(p.Get("maxIter"), "params.maxIter", 0, 1 << 30);
  params.solver = static_cast<linear::Solver>(int_arg(p.Get("solver"), "params.solver", 0, 1));
  params.seed = static_cast<uint64_t>(number_field(p, "seed", 0.0, 4294967295.0));
  params.balanced_ovr = p.Get("balancedOvr").ToBoolean().Value();
  return params;
}

Napi::TypedArray float64_arg(const Napi::Value& value, const char* name, std::size_t length) {
  const FloatArray a = float_array(value, name);
  if (a.is_float32 || a.length != length)
    throw Napi::RangeError::New(value.Env(), std::string("Expected a Float64Array of length ") + std::to_string(length) +
                                                 " for " + name);
  return a.value;
}

// A model {coef, intercept} of the shape params and d call for, read into C++ vectors.
LogisticModel model_arg(const Napi::Value& value, const LogisticParams& params, std::size_t d) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "Expected an object {coef, intercept} for the model");
  const Napi::Object object = value.As<Napi::Object>();
  LogisticModel model;
  model.rows = linear::model_rows(params.classes);
  model.d = d;
  const Napi::TypedArray coef = float64_arg(object.Get("coef"), "model.coef", model.rows * d);
  const Napi::TypedArray intercept = float64_arg(object.Get("intercept"), "model.intercept", model.rows);
  const double* c = static_cast<const double*>(typed_array_data(coef));
  const double* b = static_cast<const double*>(typed_array_data(intercept));
  model.coef.assign(c, c + model.rows * d);
  model.intercept.assign(b, b + model.rows);
  return model;
}

// What fit and objective share: the data, labels and weights, checked; label values are checked on
// the worker (check_labels) so a large y does not hold up the JS thread.
struct Training {
  MatrixInputs in;
  LogisticParams params;
  Napi::TypedArray y;
  const int32_t* labels = nullptr;
  Napi::Value weight_value;
  const double* weights = nullptr;

  std::vector<Napi::Value> pins() const {
    std::vector<Napi::Value> out{in.x.value, y};
    if (weights != nullptr) out.push_back(weight_value);
    return out;
  }

  void check_labels() const {
    for (std::size_t i = 0; i < in.n; ++i) {
      if (labels[i] < 0 || labels[i] >= params.classes)
        throw_range("Expected class indices from 0 to " + std::to_string(params.classes - 1) + " for y but received " +
                    std::to_string(labels[i]) + " at index " + std::to_string(i));
      if (weights != nullptr && !(weights[i] >= 0.0 && std::isfinite(weights[i])))
        throw_range("Expected finite weights >= 0 for sampleWeight but received " + std::to_string(weights[i]) +
                    " at index " + std::to_string(i));
    }
  }
};

Training training_args(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Training t;
  t.in = matrix_inputs(info);
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, "Expected an Int32Array for y");
  t.y = info[3].As<Napi::TypedArray>();
  if (t.y.ElementLength() != t.in.n)
    throw Napi::RangeError::New(env, "Expected y of length " + std::to_string(t.in.n) + " (the rows of X)");
  t.labels = static_cast<const int32_t*>(typed_array_data(t.y));
  t.weight_value = info[4];
  if (!info[4].IsNull() && !info[4].IsUndefined())
    t.weights = static_cast<const double*>(typed_array_data(float64_arg(info[4], "sampleWeight", t.in.n)));
  t.params = logistic_params(info[5]);
  return t;
}

// Runs `kernel(x)` with X's element type.
template <class Kernel>
void with_type(const FloatArray& x, Kernel&& kernel) {
  if (x.is_float32) kernel(static_cast<const float*>(x.data));
  else kernel(static_cast<const double*>(x.data));
}

double fit_cost(const Training& t) {
  return static_cast<double>(t.in.n) * static_cast<double>(t.in.d) * static_cast<double>(element_size(t.in.x));
}

template <class T>
Napi::TypedArray typed_copy(Napi::Env env, const std::vector<double>& values) {
  using Array = std::conditional_t<std::is_same_v<T, float>, Napi::Float32Array, Napi::Float64Array>;
  Array out = Array::New(env, values.size());
  std::copy(values.begin(), values.end(), out.Data());
  return out;
}

Napi::Value LogisticFit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Training t = training_args(info);
  auto start = std::make_shared<LogisticModel>();
  const bool warm = !info[6].IsUndefined() && !info[6].IsNull();
  if (warm) *start = model_arg(info[6], t.params, t.in.d);
  auto model = std::make_shared<LogisticModel>();
  return Job::Start(
      env, JobOptions::parse(info[7]), t.pins(), fit_cost(t),
      [t, start, warm, model](const ExecContext& ctx) {
        t.check_labels();
        with_type(t.in.x, [&](auto x) {
          *model = linear::logistic_fit(x, t.in.n, t.in.d, t.labels, t.weights, t.params, warm ? start.get() : nullptr, ctx);
        });
      },
      [model, is_float32 = t.in.x.is_float32](Napi::Env e, const Job::Pins&) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("coef", is_float32 ? typed_copy<float>(e, model->coef) : typed_copy<double>(e, model->coef));
        out.Set("intercept", is_float32 ? typed_copy<float>(e, model->intercept) : typed_copy<double>(e, model->intercept));
        Napi::Int32Array n_iter = Napi::Int32Array::New(e, model->n_iter.size());
        std::copy(model->n_iter.begin(), model->n_iter.end(), n_iter.Data());
        out.Set("nIter", n_iter);
        out.Set("converged", model->converged);
        return out;
      });
}

Napi::Value LogisticObjective(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Training t = training_args(info);
  auto model = std::make_shared<LogisticModel>(model_arg(info[6], t.params, t.in.d));
  auto gradient = std::make_shared<std::vector<double>>();
  auto value = std::make_shared<double>(0.0);
  return Job::Start(
      env, JobOptions::parse(info[7]), t.pins(), fit_cost(t),
      [t, model, gradient, value](const ExecContext& ctx) {
        t.check_labels();
        with_type(t.in.x, [&](auto x) {
          *value = linear::logistic_objective(x, t.in.n, t.in.d, t.labels, t.weights, t.params, *model, *gradient, ctx);
        });
      },
      [model, gradient, value](Napi::Env e, const Job::Pins&) {
        const std::size_t split = model->coef.size();
        Napi::Object out = Napi::Object::New(e);
        out.Set("value", *value);
        out.Set("coefGradient", typed_copy<double>(e, std::vector<double>(gradient->begin(), gradient->begin() + split)));
        out.Set("interceptGradient", typed_copy<double>(e, std::vector<double>(gradient->begin() + split, gradient->end())));
        return out;
      });
}

Napi::Value LogisticPredict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixInputs in = matrix_inputs(info);
  if (!info[5].IsObject()) throw Napi::TypeError::New(env, "Expected an object for params");
  const Napi::Object p = info[5].As<Napi::Object>();
  const int classes = int_arg(p.Get("classes"), "params.classes", 2, 1 << 20);
  const bool multinomial = p.Get("multinomial").ToBoolean().Value();
  const auto mode = static_cast<linear::PredictMode>(int_arg(p.Get("mode"), "params.mode", 0, 3));
  const std::size_t rows = linear::model_rows(classes);
  const FloatArray coef = float_array(info[3], "coef");
  const FloatArray intercept = float_array(info[4], "intercept");
  if (coef.is_float32 != in.x.is_float32 || intercept.is_float32 != in.x.is_float32 || coef.length != rows * in.d ||
      intercept.length != rows)
    throw Napi::RangeError::New(env, "Expected coef (" + std::to_string(rows) + " x " + std::to_string(in.d) +
                                         ") and intercept (" + std::to_string(rows) + ") of X's float type");
  const std::size_t out_cols = mode == linear::PredictMode::Decision ? rows : mode == linear::PredictMode::Class ? 1 : classes;
  Napi::TypedArray out;
  if (mode == linear::PredictMode::Class) out = Napi::Int32Array::New(env, in.n);
  else if (in.x.is_float32) out = Napi::Float32Array::New(env, in.n * out_cols);
  else out = Napi::Float64Array::New(env, in.n * out_cols);
  void* out_data = typed_array_data(out);
  return Job::Start(
      env, JobOptions::parse(info[6]), {in.x.value, coef.value, intercept.value, out},
      static_cast<double>(in.n * in.d * rows * element_size(in.x)),
      [=](const ExecContext& ctx) {
        with_type(in.x, [&](auto x) {
          using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
          const bool classes_out = mode == linear::PredictMode::Class;
          linear::logistic_predict(x, in.n, in.d, static_cast<const T*>(coef.data), static_cast<const T*>(intercept.data),
                                   classes, multinomial, mode, classes_out ? nullptr : static_cast<T*>(out_data),
                                   classes_out ? static_cast<int32_t*>(out_data) : nullptr, ctx);
        });
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[3].Value(); });
}

}  // namespace

void register_linear(Napi::Env env, Napi::Object exports) {
  exports.Set("logisticFit", Napi::Function::New(env, LogisticFit, "logisticFit"));
  exports.Set("logisticObjective", Napi::Function::New(env, LogisticObjective, "logisticObjective"));
  exports.Set("logisticPredict", Napi::Function::New(env, LogisticPredict, "logisticPredict"));
}

}  // namespace threadml::binding
