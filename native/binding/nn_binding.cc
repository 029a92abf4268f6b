// mlpFit(X, rows, cols, y, params, state | null, options) -> Promise<state'>
//   y: Int32Array of class indices (softmax output) or Float64Array rows x outputs (other outputs);
//   params: {widths: Int32Array, activation, loss, adam, learningRateInit, schedule, powerT, momentum,
//            nesterov, beta1, beta2, epsilon, alpha, batchSize, maxIter, shuffle, seed, tol,
//            nIterNoChange, earlyStopping, validationFraction, incremental, classifier, float64};
//   state: {params, optimizer: {buffers, steps, learningRate} | null, nIter, samplesSeen, bestLoss,
//           bestValidationScore, noImprovement}; params and buffers in the training float type.
//   Resolves with the updated state plus {lossCurve, validationScores: Float64Array, stopped}.
// mlpPredict(X, rows, cols, params, {widths, activation, loss}, options) -> Promise<Float32/64Array>
//   rows x outputs of output activations, in params' float type (X of either type is converted).
#include <cmath>
#include <memory>
#include <string>
#include <type_traits>

#include "binding/args.h"
#include "binding/job.h"
#include "nn/mlp.h"

namespace threadml::binding {

namespace {

using nn::Loss;
using nn::MlpParams;
using nn::MlpState;

Napi::Object object_arg(const Napi::Value& value, const char* name) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), std::string("Expected an object for ") + name);
  return value.As<Napi::Object>();
}

bool flag(const Napi::Object& o, const char* key) { return o.Get(key).ToBoolean().Value(); }

// Layer widths, activation and loss: what both training and inference need.
void network_fields(const Napi::Object& p, MlpParams& out) {
  const Napi::Value w = p.Get("widths");
  if (!w.IsTypedArray() || w.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      w.As<Napi::TypedArray>().ElementLength() < 2)
    throw Napi::TypeError::New(p.Env(), "Expected an Int32Array of at least 2 layer sizes for params.widths");
  const Napi::Int32Array widths = w.As<Napi::Int32Array>();
  for (std::size_t i = 0; i < widths.ElementLength(); ++i) {
    if (widths[i] < 1) throw Napi::RangeError::New(p.Env(), "Expected layer sizes >= 1 for params.widths");
    out.widths.push_back(static_cast<std::size_t>(widths[i]));
  }
  out.activation = static_cast<nn::Activation>(int_arg(p.Get("activation"), "params.activation", 0, 3));
  out.loss = static_cast<Loss>(int_arg(p.Get("loss"), "params.loss", 0, 2));
}

MlpParams fit_params(const Napi::Value& value) {
  const Napi::Object p = object_arg(value, "params");
  MlpParams out;
  network_fields(p, out);
  nn::OptimizerParams& o = out.optimizer;
  o.adam = flag(p, "adam");
  o.learning_rate_init = number_field(p, "learningRateInit", 1e-300, 1e300);
  o.schedule = static_cast<nn::Schedule>(int_arg(p.Get("schedule"), "params.schedule", 0, 2));
  o.power_t = number_field(p, "powerT", 0, 1e300);
  o.momentum = number_field(p, "momentum", 0, 1);
  o.nesterov = flag(p, "nesterov");
  o.beta1 = number_field(p, "beta1", 0, 1);
  o.beta2 = number_field(p, "beta2", 0, 1);
  o.epsilon = number_field(p, "epsilon", 1e-300, 1e300);
  out.alpha = number_field(p, "alpha", 0, 1e300);
  out.batch_size = static_cast<std::size_t>(int_arg(p.Get("batchSize"), "params.batchSize", 1, 1 << 30));
  out.max_iter = int_arg(p.Get("maxIter"), "params.maxIter", 1, 1 << 30);
  out.shuffle = flag(p, "shuffle");
  out.seed = static_cast<uint64_t>(number_field(p, "seed", 0, 4294967295.0));
  out.tol = number_field(p, "tol", 0, 1e300);
  out.n_iter_no_change = int_arg(p.Get("nIterNoChange"), "params.nIterNoChange", 1, 1 << 30);
  out.early_stopping = flag(p, "earlyStopping");
  out.validation_fraction = number_field(p, "validationFraction", 0, 1);
  out.incremental = flag(p, "incremental");
  out.classifier = flag(p, "classifier");
  return out;
}

double number_or(const Napi::Object& o, const char* key, double fallback) {
  const Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

// A typed array of the training float type T, of the given length (0: any), copied into a vector.
template <class T>
std::vector<T> vector_arg(const Napi::Value& value, const char* name) {
  const FloatArray a = float_array(value, name);
  if (a.is_float32 != std::is_same_v<T, float>)
    throw Napi::TypeError::New(value.Env(), std::string("Expected ") + (std::is_same_v<T, float> ? "a Float32Array" : "a Float64Array") +
                                                " (the training float type) for " + name);
  const T* data = static_cast<const T*>(a.data);
  return std::vector<T>(data, data + a.length);
}

template <class T>
std::shared_ptr<MlpState<T>> state_arg(const Napi::Value& value) {
  auto state = std::make_shared<MlpState<T>>();
  if (value.IsNull() || value.IsUndefined()) return state;
  const Napi::Object s = object_arg(value, "state");
  state->params = vector_arg<T>(s.Get("params"), "state.params");
  const Napi::Value opt = s.Get("optimizer");
  if (!opt.IsNull() && !opt.IsUndefined()) {
    const Napi::Object o = object_arg(opt, "state.optimizer");
    state->optimizer.buffers = vector_arg<T>(o.Get("buffers"), "state.optimizer.buffers");
    state->optimizer.steps = static_cast<int64_t>(number_field(o, "steps", 0, 9007199254740991.0));
    state->optimizer.learning_rate = number_field(o, "learningRate", 0, 1e300);
  }
  state->n_iter = int_arg(s.Get("nIter"), "state.nIter", 0, 2147483647);
  state->samples_seen = number_field(s, "samplesSeen", 0, 1e300);
  state->best_loss = number_or(s, "bestLoss", INFINITY);
  state->best_validation_score = number_or(s, "bestValidationScore", -INFINITY);
  state->no_improvement = int_arg(s.Get("noImprovement"), "state.noImprovement", 0, 2147483647);
  return state;
}

template <class T>
Napi::TypedArray typed_copy(Napi::Env env, const std::vector<T>& values) {
  using Array = std::conditional_t<std::is_same_v<T, float>, Napi::Float32Array, Napi::Float64Array>;
  Array out = Array::New(env, values.size());
  std::copy(values.begin(), values.end(), out.Data());
  return out;
}

template <class T>
Napi::Object state_object(Napi::Env env, const MlpState<T>& s) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("params", typed_copy(env, s.params));
  Napi::Object opt = Napi::Object::New(env);
  opt.Set("buffers", typed_copy(env, s.optimizer.buffers));
  opt.Set("steps", static_cast<double>(s.optimizer.steps));
  opt.Set("learningRate", s.optimizer.learning_rate);
  out.Set("optimizer", opt);
  out.Set("nIter", s.n_iter);
  out.Set("samplesSeen", s.samples_seen);
  out.Set("bestLoss", s.best_loss);
  out.Set("bestValidationScore", s.best_validation_score);
  out.Set("noImprovement", s.no_improvement);
  out.Set("lossCurve", typed_copy(env, s.loss_curve));
  out.Set("validationScores", typed_copy(env, s.validation_scores));
  out.Set("stopped", s.stopped);
  return out;
}

// Runs `kernel(x)` with X's element type.
template <class Kernel>
void with_input(const FloatArray& x, Kernel&& kernel) {
  if (x.is_float32) kernel(static_cast<const float*>(x.data));
  else kernel(static_cast<const double*>(x.data));
}

template <class T>
Napi::Value fit_as(Napi::Env env, const Napi::CallbackInfo& info, const MatrixInputs& in, const MlpParams& params) {
  auto state = state_arg<T>(info[5]);
  const std::size_t k = params.widths.back();
  nn::Targets targets;
  targets.cols = k;
  const Napi::Value y = info[3];
  if (params.loss == Loss::Softmax) {
    if (!y.IsTypedArray() || y.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        y.As<Napi::TypedArray>().ElementLength() != in.n)
      throw Napi::TypeError::New(env, "Expected an Int32Array of " + std::to_string(in.n) + " class indices for y");
    targets.labels = static_cast<const int32_t*>(typed_array_data(y.As<Napi::TypedArray>()));
  } else {
    const FloatArray v = float_array(y, "y");
    if (v.is_float32 || v.length != in.n * k)
      throw Napi::TypeError::New(env, "Expected a Float64Array of " + std::to_string(in.n) + " x " + std::to_string(k) + " targets for y");
    targets.values = static_cast<const double*>(v.data);
  }
  const double cost = static_cast<double>(in.x.length) * static_cast<double>(params.widths[1]) * params.max_iter;
  return Job::Start(
      env, JobOptions::parse(info[6]), {in.x.value, y}, cost,
      [in, targets, params, state](const ExecContext& ctx) {
        with_input(in.x, [&](auto x) { nn::mlp_fit(x, in.n, targets, params, *state, ctx); });
      },
      [state](Napi::Env e, const Job::Pins&) { return state_object(e, *state); });
}

Napi::Value MlpFit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixInputs in = matrix_inputs(info);
  const Napi::Object p = object_arg(info[4], "params");
  const MlpParams params = fit_params(p);
  if (params.widths.front() != in.d)
    throw Napi::RangeError::New(env, "Expected X with " + std::to_string(params.widths.front()) + " columns (the input layer)");
  return flag(p, "float64") ? fit_as<double>(env, info, in, params) : fit_as<float>(env, info, in, params);
}

Napi::Value MlpPredict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixInputs in = matrix_inputs(info);
  const FloatArray weights = float_array(info[3], "params");
  MlpParams spec;
  network_fields(object_arg(info[4], "network"), spec);
  if (spec.widths.front() != in.d)
    throw Napi::RangeError::New(env, "Expected X with " + std::to_string(spec.widths.front()) + " columns (the input layer)");
  std::size_t n_params = 0;
  for (std::size_t l = 0; l + 1 < spec.widths.size(); ++l) n_params += (spec.widths[l] + 1) * spec.widths[l + 1];
  if (weights.length != n_params)
    throw Napi::RangeError::New(env, "Expected " + std::to_string(n_params) + " parameters for the layer sizes but received " +
                                         std::to_string(weights.length));
  const std::size_t k = spec.widths.back();
  Napi::TypedArray out = weights.is_float32 ? Napi::TypedArray(Napi::Float32Array::New(env, in.n * k))
                                            : Napi::TypedArray(Napi::Float64Array::New(env, in.n * k));
  void* out_data = typed_array_data(out);
  const double cost = static_cast<double>(in.x.length) * static_cast<double>(spec.widths[1]) * 2.0;
  return Job::Start(
      env, JobOptions::parse(info[5]), {in.x.value, weights.value, out}, cost,
      [in, weights, spec, out_data](const ExecContext& ctx) {
        with_input(in.x, [&](auto x) {
          auto run = [&](auto* typed_out) {
            using T = std::remove_pointer_t<decltype(typed_out)>;
            nn::mlp_predict(x, in.n, spec, static_cast<const T*>(weights.data), typed_out, ctx);
          };
          if (weights.is_float32) run(static_cast<float*>(out_data));
          else run(static_cast<double*>(out_data));
        });
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[2].Value(); });
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  exports.Set("mlpFit", Napi::Function::New(env, MlpFit, "mlpFit"));
  exports.Set("mlpPredict", Napi::Function::New(env, MlpPredict, "mlpPredict"));
}

}  // namespace threadml::binding
