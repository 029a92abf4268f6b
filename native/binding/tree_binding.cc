// Tree models: treeFit, treePredict, treeApply (Promises) and treeExport, treeImport, treeSlice,
// treeSummary (synchronous). A fitted model lives in native memory behind a type-tagged External; it is
// immutable, so jobs share it and keep it alive, and a JS caller can never change what a job reads.
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "binding/args.h"
#include "binding/job.h"
#include "tree/forest.h"
#include "tree/gbdt.h"
#include "tree/tree.h"

namespace threadml::binding {

namespace {

using tree::Forest;
using tree::Tree;
using ModelRef = std::shared_ptr<const Forest>;

constexpr napi_type_tag kModelTag = {0x7c3f5a1e2b9d4c60ULL, 0x8e1a6f0d3b2c9e47ULL};

Napi::Value wrap_model(Napi::Env env, ModelRef model) {
  auto external = Napi::External<ModelRef>::New(env, new ModelRef(std::move(model)),
                                                [](Napi::Env, ModelRef* ref) { delete ref; });
  external.TypeTag(&kModelTag);
  return external;
}

ModelRef model_arg(const Napi::Value& value) {
  if (!value.IsExternal() || !value.As<Napi::External<ModelRef>>().CheckTypeTag(&kModelTag))
    throw Napi::TypeError::New(value.Env(), "Expected a threadml tree model handle for model");
  return *value.As<Napi::External<ModelRef>>().Data();
}

struct MatrixArg {
  FloatArray x;
  std::size_t rows;
  std::size_t cols;
};

MatrixArg matrix_arg(const Napi::CallbackInfo& info, std::size_t at) {
  MatrixArg m{float_array(info[at], "X"), size_arg(info[at + 1], "rows"), size_arg(info[at + 2], "cols")};
  if (m.rows == 0 || m.cols == 0 || m.rows > m.x.length / m.cols || m.rows * m.cols != m.x.length)
    throw Napi::RangeError::New(info.Env(), "Expected rows * cols to equal the length of X (" +
                                                std::to_string(m.x.length) + ")");
  return m;
}

// (model, X, rows, cols, ...): the model and an X with the model's features.
std::pair<ModelRef, MatrixArg> model_input(const Napi::CallbackInfo& info) {
  ModelRef model = model_arg(info[0]);
  MatrixArg m = matrix_arg(info, 1);
  if (m.cols != model->n_features)
    throw Napi::RangeError::New(info.Env(), "Expected X with " + std::to_string(model->n_features) +
                                                " columns (the model's features) but received " + std::to_string(m.cols));
  return {std::move(model), m};
}

std::size_t size_field(const Napi::Object& params, const char* key, double lo = 0.0) {
  const double x = number_field(params, key, lo, 4294967295.0);
  if (x != std::floor(x)) throw Napi::RangeError::New(params.Env(), std::string("Expected an integer for params.") + key);
  return static_cast<std::size_t>(x);
}

tree::ForestParams forest_params(const Napi::Object& p) {
  tree::ForestParams out;
  out.criterion = static_cast<tree::Criterion>(size_field(p, "criterion"));
  if (static_cast<int>(out.criterion) > 3) throw Napi::RangeError::New(p.Env(), "Expected a criterion from 0 to 3");
  out.n_classes = static_cast<int>(size_field(p, "nClasses"));
  const std::size_t max_depth = size_field(p, "maxDepth");  // 0: unlimited
  out.grow.max_depth = max_depth == 0 ? INT_MAX : static_cast<int>(std::min<std::size_t>(max_depth, INT_MAX));
  out.grow.min_samples_split = size_field(p, "minSamplesSplit", 2);
  out.grow.min_samples_leaf = size_field(p, "minSamplesLeaf", 1);
  out.min_weight_fraction_leaf = number_field(p, "minWeightFractionLeaf", 0, 0.5);
  out.grow.min_impurity_decrease = number_field(p, "minImpurityDecrease", 0, INFINITY);
  out.grow.max_features = size_field(p, "maxFeatures");
  out.grow.max_leaf_nodes = size_field(p, "maxLeafNodes");
  out.binning.max_bins = static_cast<int>(size_field(p, "maxBins"));
  if (out.binning.max_bins == 1 || out.binning.max_bins > 255)
    throw Napi::RangeError::New(p.Env(), "Expected 0 (exact) or 2 to 255 for params.maxBins");
  out.n_trees = size_field(p, "nTrees", 1);
  out.first_tree = size_field(p, "firstTree");
  out.bootstrap = p.Get("bootstrap").ToBoolean().Value();
  out.max_samples = size_field(p, "maxSamples");
  out.balanced_subsample = p.Get("balancedSubsample").ToBoolean().Value();
  out.oob = p.Get("oob").ToBoolean().Value();
  out.seed = static_cast<uint64_t>(number_field(p, "seed", 0, 9007199254740991.0));
  return out;
}

template <class T>
Napi::TypedArrayOf<T> copy_out(Napi::Env env, const T* data, std::size_t length) {
  Napi::TypedArrayOf<T> out = Napi::TypedArrayOf<T>::New(env, length);
  if (length > 0) std::memcpy(typed_array_data(out), data, length * sizeof(T));
  return out;
}

Napi::Value TreeFit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  if (!info[3].IsTypedArray()) throw Napi::TypeError::New(env, "Expected an Int32Array or Float64Array for y");
  const Napi::TypedArray y = info[3].As<Napi::TypedArray>();
  if (y.ElementLength() != m.rows) throw Napi::RangeError::New(env, "Expected one target per row for y");
  if (!info[5].IsObject()) throw Napi::TypeError::New(env, "Expected an object for params");
  const tree::ForestParams params = forest_params(info[5].As<Napi::Object>());
  const bool classify = params.criterion == tree::Criterion::Gini || params.criterion == tree::Criterion::Entropy;
  if (y.TypedArrayType() != (classify ? napi_int32_array : napi_float64_array))
    throw Napi::TypeError::New(env, classify ? "Expected an Int32Array of class indices for y"
                                             : "Expected a Float64Array for y");
  if (classify && params.n_classes < 1) throw Napi::RangeError::New(env, "Expected nClasses >= 1");
  std::vector<Napi::Value> pins{m.x.value, y};
  const double* weights = nullptr;
  if (!info[4].IsUndefined() && !info[4].IsNull()) {
    const FloatArray w = float_array(info[4], "sampleWeight");
    if (w.is_float32 || w.length != m.rows) throw Napi::RangeError::New(env, "Expected a Float64Array of one weight per row");
    weights = static_cast<const double*>(w.data);
    pins.push_back(w.value);
  }
  std::vector<std::shared_ptr<const Tree>> previous;
  if (!info[6].IsUndefined() && !info[6].IsNull()) {
    const ModelRef warm = model_arg(info[6]);
    if (warm->n_features != m.cols) throw Napi::RangeError::New(env, "Expected X with as many columns as the warm-start model");
    previous = warm->trees;
  }
  if (params.bootstrap && params.max_samples == 0) throw Napi::RangeError::New(env, "Expected maxSamples >= 1 with bootstrap");
  const void* y_data = typed_array_data(y);
  auto result = std::make_shared<tree::ForestFit>();
  const double cost = static_cast<double>(m.rows) * static_cast<double>(m.cols) * 64.0;
  return Job::Start(
      env, JobOptions::parse(info[7]), pins, cost,
      [=](const ExecContext& ctx) {
        tree::Targets targets;
        targets.weights = weights;
        if (classify) {
          targets.classes = static_cast<const int32_t*>(y_data);
          for (std::size_t i = 0; i < m.rows; ++i)
            if (targets.classes[i] < 0 || targets.classes[i] >= params.n_classes)
              throw_range("Expected class indices from 0 to " + std::to_string(params.n_classes - 1) + " in y");
        } else {
          targets.values = static_cast<const double*>(y_data);
          for (std::size_t i = 0; i < m.rows; ++i)
            if (!std::isfinite(targets.values[i])) throw_range("Expected finite values in y");
        }
        if (weights != nullptr)
          for (std::size_t i = 0; i < m.rows; ++i)
            if (!(weights[i] >= 0.0 && std::isfinite(weights[i])))
              throw_range("Expected finite non-negative sample weights");
        *result = m.x.is_float32
                      ? tree::fit_forest(static_cast<const float*>(m.x.data), m.rows, m.cols, targets, params, previous, ctx)
                      : tree::fit_forest(static_cast<const double*>(m.x.data), m.rows, m.cols, targets, params, previous, ctx);
      },
      [=](Napi::Env e, const Job::Pins&) -> Napi::Value {
        auto forest = std::make_shared<Forest>();
        forest->n_features = m.cols;
        forest->n_outputs = classify ? params.n_classes : 1;
        forest->trees = previous;
        forest->trees.insert(forest->trees.end(), result->trees.begin(), result->trees.end());
        Napi::Object out = Napi::Object::New(e);
        out.Set("model", wrap_model(e, std::move(forest)));
        if (params.oob) {
          out.Set("oobSum", copy_out(e, result->oob_sum.data(), result->oob_sum.size()));
          out.Set("oobCount", copy_out(e, result->oob_count.data(), result->oob_count.size()));
        }
        return out;
      });
}

tree::BoostParams boost_params(const Napi::Object& p) {
  tree::BoostParams out;
  out.loss = static_cast<tree::BoostLoss>(size_field(p, "loss"));
  if (static_cast<int>(out.loss) > 4) throw Napi::RangeError::New(p.Env(), "Expected a loss from 0 to 4");
  out.n_outputs = static_cast<int>(size_field(p, "nOutputs", 1));
  const std::size_t max_depth = size_field(p, "maxDepth");  // 0: unlimited
  out.grow.max_depth = max_depth == 0 ? INT_MAX : static_cast<int>(std::min<std::size_t>(max_depth, INT_MAX));
  out.grow.min_samples_leaf = size_field(p, "minSamplesLeaf", 1);
  out.grow.min_samples_split = 2 * out.grow.min_samples_leaf;
  out.grow.min_weight_leaf = number_field(p, "minHessianLeaf", 0, INFINITY);
  out.grow.max_leaf_nodes = size_field(p, "maxLeafNodes", 2);
  out.binning.max_bins = static_cast<int>(size_field(p, "maxBins", 2));
  if (out.binning.max_bins > 255) throw Napi::RangeError::New(p.Env(), "Expected 2 to 255 for params.maxBins");
  out.learning_rate = number_field(p, "learningRate", 0, INFINITY);
  out.l2 = number_field(p, "l2Regularization", 0, INFINITY);
  out.min_gain = number_field(p, "minGainToSplit", 0, INFINITY);
  out.max_iter = size_field(p, "maxIter", 1);
  out.subsample = number_field(p, "subsample", 0, 1);
  out.colsample_bytree = number_field(p, "colsampleBytree", 0, 1);
  out.n_iter_no_change = size_field(p, "nIterNoChange");
  out.tol = number_field(p, "tol", 0, INFINITY);
  out.seed = static_cast<uint64_t>(number_field(p, "seed", 0, 9007199254740991.0));
  const Napi::Value categorical = p.Get("categorical");
  if (!categorical.IsTypedArray() || categorical.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(p.Env(), "Expected a Uint8Array for params.categorical");
  const Napi::Uint8Array mask = categorical.As<Napi::Uint8Array>();
  out.binning.categorical.assign(mask.Data(), mask.Data() + mask.ElementLength());
  return out;
}

// Targets and optional weights of `rows` rows: Float64Arrays (class indices for classifiers).
std::pair<const double*, const double*> targets_arg(const Napi::CallbackInfo& info, std::size_t at, std::size_t rows,
                                                    std::vector<Napi::Value>& pins) {
  const FloatArray y = float_array(info[at], "y");
  if (y.is_float32 || y.length != rows) throw Napi::RangeError::New(info.Env(), "Expected a Float64Array of one target per row for y");
  pins.push_back(y.value);
  const double* w = nullptr;
  if (!info[at + 1].IsUndefined() && !info[at + 1].IsNull()) {
    const FloatArray wa = float_array(info[at + 1], "sampleWeight");
    if (wa.is_float32 || wa.length != rows) throw Napi::RangeError::New(info.Env(), "Expected a Float64Array of one weight per row");
    pins.push_back(wa.value);
    w = static_cast<const double*>(wa.data);
  }
  return {static_cast<const double*>(y.data), w};
}

// gbdtFit(X, rows, cols, y, weight, Xval | null, valRows, yval, wval, params, options):
// {model, baseline, trainLoss, validationLoss, nIter}.
Napi::Value GbdtFit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MatrixArg m = matrix_arg(info, 0);
  std::vector<Napi::Value> pins{m.x.value};
  const auto [y, w] = targets_arg(info, 3, m.rows, pins);
  MatrixArg v{m.x, 0, m.cols};
  const double* yv = nullptr;
  const double* wv = nullptr;
  if (!info[5].IsNull() && !info[5].IsUndefined()) {
    v = matrix_arg(info, 5);
    if (v.cols != m.cols || v.x.is_float32 != m.x.is_float32)
      throw Napi::RangeError::New(env, "Expected a validation X of the same columns and type as X");
    pins.push_back(v.x.value);
    std::tie(yv, wv) = targets_arg(info, 8, v.rows, pins);
  }
  if (!info[10].IsObject()) throw Napi::TypeError::New(env, "Expected an object for params");
  const tree::BoostParams params = boost_params(info[10].As<Napi::Object>());
  if (!params.binning.categorical.empty() && params.binning.categorical.size() != m.cols)
    throw Napi::RangeError::New(env, "Expected params.categorical with one flag per column of X (" + std::to_string(m.cols) + ")");
  auto result = std::make_shared<tree::BoostFit>();
  const double cost = static_cast<double>(m.rows) * static_cast<double>(m.cols) * 64.0;
  return Job::Start(
      env, JobOptions::parse(info[11]), pins, cost,
      [=](const ExecContext& ctx) {
        auto run = [&](auto zero) {
          using T = decltype(zero);
          const tree::BoostData<T> train{static_cast<const T*>(m.x.data), m.rows, y, w};
          const tree::BoostData<T> held{static_cast<const T*>(v.x.data), v.rows, yv, wv};
          *result = tree::fit_boosting(train, m.cols, held, params, ctx);
        };
        if (m.x.is_float32) run(0.0f);
        else run(0.0);
      },
      [=](Napi::Env e, const Job::Pins&) -> Napi::Value {
        auto forest = std::make_shared<Forest>();
        forest->n_features = m.cols;
        forest->n_outputs = static_cast<int>(result->baseline.size());
        forest->trees = result->trees;
        Napi::Object out = Napi::Object::New(e);
        out.Set("model", wrap_model(e, std::move(forest)));
        out.Set("baseline", copy_out(e, result->baseline.data(), result->baseline.size()));
        out.Set("trainLoss", copy_out(e, result->train_loss.data(), result->train_loss.size()));
        out.Set("validationLoss", copy_out(e, result->validation_loss.data(), result->validation_loss.size()));
        out.Set("nIter", static_cast<double>(result->n_iter));
        return out;
      });
}

// treePredict(model, X, rows, cols, scale, options): scale * the sum of leaf values, rows x outputs.
Napi::Value TreePredict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [model, m] = model_input(info);
  const double scale = info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(scale)) throw Napi::RangeError::New(env, "Expected a finite number for scale");
  Napi::Float64Array out = Napi::Float64Array::New(env, m.rows * static_cast<std::size_t>(model->n_outputs));
  double* out_data = static_cast<double*>(typed_array_data(out));
  const double cost = static_cast<double>(m.rows) * static_cast<double>(model->trees.size()) * 256.0;
  return Job::Start(
      env, JobOptions::parse(info[5]), {m.x.value, out}, cost,
      [=](const ExecContext& ctx) {
        if (m.x.is_float32) tree::predict(*model, static_cast<const float*>(m.x.data), m.rows, scale, out_data, ctx);
        else tree::predict(*model, static_cast<const double*>(m.x.data), m.rows, scale, out_data, ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[1].Value(); });
}

// treeApply(model, X, rows, cols, options): the leaf of each tree, rows x trees.
Napi::Value TreeApply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [model, m] = model_input(info);
  Napi::Int32Array out = Napi::Int32Array::New(env, m.rows * model->trees.size());
  int32_t* out_data = static_cast<int32_t*>(typed_array_data(out));
  const double cost = static_cast<double>(m.rows) * static_cast<double>(model->trees.size()) * 256.0;
  return Job::Start(
      env, JobOptions::parse(info[4]), {m.x.value, out}, cost,
      [=](const ExecContext& ctx) {
        if (m.x.is_float32) tree::apply(*model, static_cast<const float*>(m.x.data), m.rows, out_data, ctx);
        else tree::apply(*model, static_cast<const double*>(m.x.data), m.rows, out_data, ctx);
      },
      [](Napi::Env, const Job::Pins& pins) { return pins[1].Value(); });
}

// The model as plain typed arrays (copies): for inspection and toJSON.
Napi::Value TreeExport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ModelRef model = model_arg(info[0]);
  Napi::Object out = Napi::Object::New(env);
  out.Set("nFeatures", static_cast<double>(model->n_features));
  out.Set("nOutputs", model->n_outputs);
  Napi::Array trees = Napi::Array::New(env, model->trees.size());
  for (std::size_t t = 0; t < model->trees.size(); ++t) {
    const Tree& tr = *model->trees[t];
    const std::size_t n = tr.node_count();
    Napi::Object o = Napi::Object::New(env);
    o.Set("nOutputs", tr.n_outputs);
    o.Set("outputOffset", tr.output_offset);
    o.Set("feature", copy_out(env, tr.feature.data(), n));
    o.Set("threshold", copy_out(env, tr.threshold.data(), n));
    o.Set("left", copy_out(env, tr.left.data(), n));
    o.Set("right", copy_out(env, tr.right.data(), n));
    o.Set("missingLeft", copy_out(env, tr.missing_left.data(), n));
    o.Set("categorySet", copy_out(env, tr.category_set.data(), n));
    o.Set("categoryBits", copy_out(env, tr.category_bits.data(), tr.category_bits.size()));
    o.Set("value", copy_out(env, tr.value.data(), tr.value.size()));
    o.Set("impurity", copy_out(env, tr.impurity.data(), n));
    o.Set("nNodeSamples", copy_out(env, tr.n_node_samples.data(), n));
    o.Set("weightedNNodeSamples", copy_out(env, tr.weighted_n_node_samples.data(), n));
    trees.Set(static_cast<uint32_t>(t), o);
  }
  out.Set("trees", trees);
  return out;
}

template <class T>
std::vector<T> copy_in(const Napi::Object& o, const char* key, napi_typedarray_type type) {
  const Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(o.Env(), std::string("Expected a typed array of the right type for ") + key);
  const Napi::TypedArray a = v.As<Napi::TypedArray>();
  const T* data = static_cast<const T*>(typed_array_data(a));
  return std::vector<T>(data, data + a.ElementLength());
}

// Builds a model from exported arrays (copied), validated so that no later call can read out of bounds.
Napi::Value TreeImport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "Expected an object for model");
  const Napi::Object o = info[0].As<Napi::Object>();
  auto forest = std::make_shared<Forest>();
  forest->n_features = size_field(o, "nFeatures", 1);
  forest->n_outputs = static_cast<int>(size_field(o, "nOutputs", 1));
  if (!o.Get("trees").IsArray()) throw Napi::TypeError::New(env, "Expected an array for trees");
  const Napi::Array trees = o.Get("trees").As<Napi::Array>();
  for (uint32_t t = 0; t < trees.Length(); ++t) {
    if (!trees.Get(t).IsObject()) throw Napi::TypeError::New(env, "Expected an object for trees[" + std::to_string(t) + "]");
    const Napi::Object to = trees.Get(t).As<Napi::Object>();
    auto tr = std::make_shared<Tree>();
    tr->n_outputs = static_cast<int>(size_field(to, "nOutputs", 1));
    tr->output_offset = static_cast<int>(size_field(to, "outputOffset"));
    tr->feature = copy_in<int32_t>(to, "feature", napi_int32_array);
    tr->threshold = copy_in<double>(to, "threshold", napi_float64_array);
    tr->left = copy_in<int32_t>(to, "left", napi_int32_array);
    tr->right = copy_in<int32_t>(to, "right", napi_int32_array);
    tr->missing_left = copy_in<uint8_t>(to, "missingLeft", napi_uint8_array);
    tr->category_set = copy_in<int32_t>(to, "categorySet", napi_int32_array);
    tr->category_bits = copy_in<uint32_t>(to, "categoryBits", napi_uint32_array);
    tr->value = copy_in<double>(to, "value", napi_float64_array);
    tr->impurity = copy_in<double>(to, "impurity", napi_float64_array);
    tr->n_node_samples = copy_in<double>(to, "nNodeSamples", napi_float64_array);
    tr->weighted_n_node_samples = copy_in<double>(to, "weightedNNodeSamples", napi_float64_array);
    forest->trees.push_back(std::move(tr));
  }
  try {
    tree::validate(*forest);
  } catch (const Error& e) {
    throw Napi::RangeError::New(env, e.what());
  }
  return wrap_model(env, std::move(forest));
}

// treeSlice(model, start, end): a model of trees start .. end - 1, sharing them.
Napi::Value TreeSlice(const Napi::CallbackInfo& info) {
  const ModelRef model = model_arg(info[0]);
  const std::size_t start = size_arg(info[1], "start");
  const std::size_t end = size_arg(info[2], "end");
  if (start >= end || end > model->trees.size()) throw Napi::RangeError::New(info.Env(), "Expected 0 <= start < end <= trees");
  auto out = std::make_shared<Forest>(*model);
  out->trees.assign(model->trees.begin() + static_cast<std::ptrdiff_t>(start), model->trees.begin() + static_cast<std::ptrdiff_t>(end));
  return wrap_model(info.Env(), std::move(out));
}

Napi::Value TreeSummary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ModelRef model = model_arg(info[0]);
  const std::size_t n = model->trees.size();
  Napi::Int32Array nodes = Napi::Int32Array::New(env, n);
  Napi::Int32Array depths = Napi::Int32Array::New(env, n);
  Napi::Int32Array leaves = Napi::Int32Array::New(env, n);
  for (std::size_t t = 0; t < n; ++t) {
    nodes[t] = static_cast<int32_t>(model->trees[t]->node_count());
    depths[t] = model->trees[t]->depth();
    leaves[t] = static_cast<int32_t>(model->trees[t]->leaf_count());
  }
  const std::vector<double> importances = tree::feature_importances(*model);
  Napi::Object out = Napi::Object::New(env);
  out.Set("nTrees", static_cast<double>(n));
  out.Set("nodeCounts", nodes);
  out.Set("depths", depths);
  out.Set("leaves", leaves);
  out.Set("featureImportances", copy_out(env, importances.data(), importances.size()));
  const std::vector<double> splits = tree::split_counts(*model);
  out.Set("featureSplitCounts", copy_out(env, splits.data(), splits.size()));
  return out;
}

}  // namespace

void register_tree(Napi::Env env, Napi::Object exports) {
  exports.Set("treeFit", Napi::Function::New(env, TreeFit, "treeFit"));
  exports.Set("treePredict", Napi::Function::New(env, TreePredict, "treePredict"));
  exports.Set("treeApply", Napi::Function::New(env, TreeApply, "treeApply"));
  exports.Set("treeExport", Napi::Function::New(env, TreeExport, "treeExport"));
  exports.Set("treeImport", Napi::Function::New(env, TreeImport, "treeImport"));
  exports.Set("treeSlice", Napi::Function::New(env, TreeSlice, "treeSlice"));
  exports.Set("gbdtFit", Napi::Function::New(env, GbdtFit, "gbdtFit"));
  exports.Set("treeSummary", Napi::Function::New(env, TreeSummary, "treeSummary"));
}

}  // namespace threadml::binding
