#include "nn/mlp.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/status.h"
#include "preprocess/common.h"

namespace threadml::nn {

namespace {

// Streams of the seed: initialisation, validation split, shuffles (one generator across epochs).
enum Stream : uint64_t { kInitStream = 0, kSplitStream = 1, kShuffleStream = 2 };

template <class V>
void shuffle(V& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// A row's class for stratification, or -1 when the targets are not one class per row.
int row_class(const Targets& t, Loss loss, std::size_t r) {
  if (loss == Loss::Softmax) return t.labels[r];
  if (loss == Loss::Logistic && t.cols == 1) return t.values[r] > 0.5 ? 1 : 0;
  return -1;
}

// scikit-learn holds out ceil(fraction * n) rows. Classes keep their shares (largest remainders),
// the rows of each class drawn at random; both parts stay in data order.
void split_validation(std::size_t n, const Targets& t, const MlpParams& p, std::vector<uint32_t>& train,
                      std::vector<uint32_t>& val) {
  const std::size_t n_val = static_cast<std::size_t>(std::ceil(p.validation_fraction * static_cast<double>(n)));
  if (n_val < 1 || n_val >= n)
    throw_range("Expected validationFraction to leave at least one training and one validation row but received " +
                std::to_string(n_val) + " validation rows of " + std::to_string(n));
  Rng rng(derive_seed(p.seed, kSplitStream));
  const bool stratify = p.classifier && row_class(t, p.loss, 0) >= 0;
  std::vector<std::vector<uint32_t>> groups(1);
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t g = stratify ? static_cast<std::size_t>(row_class(t, p.loss, r)) : 0;
    if (g >= groups.size()) groups.resize(g + 1);
    groups[g].push_back(static_cast<uint32_t>(r));
  }
  std::vector<std::size_t> take(groups.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t taken = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double share = static_cast<double>(n_val) * static_cast<double>(groups[g].size()) / static_cast<double>(n);
    take[g] = static_cast<std::size_t>(share);
    taken += take[g];
    remainders.push_back({share - static_cast<double>(take[g]), g});
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](auto a, auto b) { return a.first > b.first; });
  for (std::size_t i = 0; taken < n_val; ++i, ++taken) ++take[remainders[i % remainders.size()].second];
  std::vector<char> is_val(n, 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    shuffle(groups[g], rng);
    for (std::size_t i = 0; i < std::min(take[g], groups[g].size()); ++i) is_val[groups[g][i]] = 1;
  }
  for (std::size_t r = 0; r < n; ++r) (is_val[r] ? val : train).push_back(static_cast<uint32_t>(r));
}

template <class T>
bool row_right(const T* o, std::size_t cols, const Targets& t, Loss loss, std::size_t r) {
  if (loss == Loss::Softmax) return static_cast<int32_t>(std::max_element(o, o + cols) - o) == t.labels[r];
  for (std::size_t j = 0; j < cols; ++j)
    if ((o[j] > T(0.5)) != (t.values[r * cols + j] > 0.5)) return false;
  return true;
}

}  // namespace

template <class T>
double validation_score(const T* out, std::size_t rows, std::size_t cols, const Targets& t, const uint32_t* index,
                        Loss loss, bool classifier) {
  if (classifier) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < rows; ++i) right += row_right(out + i * cols, cols, t, loss, index[i]);
    return static_cast<double>(right) / static_cast<double>(rows);
  }
  double total = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    double mean = 0.0;
    for (std::size_t i = 0; i < rows; ++i) mean += t.values[index[i] * cols + j];
    mean /= static_cast<double>(rows);
    double ss_res = 0.0, ss_tot = 0.0;
    for (std::size_t i = 0; i < rows; ++i) {
      const double y = t.values[index[i] * cols + j];
      ss_res += (y - static_cast<double>(out[i * cols + j])) * (y - static_cast<double>(out[i * cols + j]));
      ss_tot += (y - mean) * (y - mean);
    }
    // scikit-learn's r2_score for a constant target: 1 when predicted exactly, else 0.
    total += ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : (ss_res == 0.0 ? 1.0 : 0.0);
  }
  return total / static_cast<double>(cols);
}

template <class TX, class T>
void mlp_fit(const TX* x, std::size_t n, const Targets& targets, const MlpParams& p, MlpState<T>& state,
             const ExecContext& ctx) {
  ExecContext quiet = ctx;  // inner kernels must not report progress: it is reported per epoch
  quiet.progress = nullptr;
  const Network<T> net(p.widths, p.activation, p.loss);
  const std::size_t d = net.inputs(), k = net.outputs(), n_params = net.param_count();
  if (targets.cols != k) throw_range("Expected targets of " + std::to_string(k) + " columns");
  for (std::size_t r = 0; r < n && p.loss == Loss::Softmax; ++r)
    if (targets.labels[r] < 0 || static_cast<std::size_t>(targets.labels[r]) >= k)
      throw_range("Expected class indices from 0 to " + std::to_string(k - 1) + " for y but received " +
                  std::to_string(targets.labels[r]) + " at index " + std::to_string(r));
  preprocess::reject_refused(x, n, d, false, quiet);

  if (state.params.empty()) {
    state.params.resize(n_params);
    net.init(state.params.data(), derive_seed(p.seed, kInitStream));
  } else if (state.params.size() != n_params) {
    throw_range("Expected " + std::to_string(n_params) + " parameters for the layer sizes but received " +
                std::to_string(state.params.size()));
  }
  Optimizer<T> optimizer(p.optimizer, net.segments(), n_params, std::move(state.optimizer));
  T* params = state.params.data();

  const bool early_stopping = p.early_stopping && !p.incremental;
  std::vector<uint32_t> train, val;
  if (early_stopping) split_validation(n, targets, p, train, val);
  else {
    train.resize(n);
    std::iota(train.begin(), train.end(), uint32_t{0});
  }
  const std::size_t n_train = train.size();
  const std::size_t batch = std::clamp<std::size_t>(p.batch_size, 1, n_train);

  // Every buffer of the epoch loop, allocated once.
  const std::size_t layers = net.layer_count();
  std::vector<T> x_batch(batch * d), grads(n_params);
  std::vector<std::vector<T>> outs(layers), deltas(layers);
  for (std::size_t l = 0; l < layers; ++l) {
    outs[l].resize(batch * net.layer(l).out_width());
    deltas[l].resize(batch * net.layer(l).out_width());
  }
  std::vector<T> val_out(val.size() * k), best;
  if (early_stopping) best.assign(params, params + n_params);
  Rng shuffle_rng(derive_seed(p.seed, kShuffleStream));

  const int epochs = p.incremental ? 1 : p.max_iter;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    if (p.shuffle) shuffle(train, shuffle_rng);
    double accumulated = 0.0;
    for (std::size_t b0 = 0; b0 < n_train; b0 += batch) {
      ctx.check_cancelled();
      const std::size_t rows = std::min(batch, n_train - b0);
      const uint32_t* index = train.data() + b0;
      gather_rows(x, d, index, rows, x_batch.data(), quiet);
      const T* in = x_batch.data();
      for (std::size_t l = 0; l < layers; ++l) {
        net.layer(l).forward(in, rows, params + net.offset(l), outs[l].data(), quiet);
        in = outs[l].data();
      }
      const double loss_sum = loss_gradient(p.loss, outs[layers - 1].data(), rows, k, targets, index, deltas[layers - 1].data());
      const T scale = static_cast<T>(1.0 / static_cast<double>(rows));
      for (std::size_t l = layers; l-- > 0;) {
        net.layer(l).backward(l == 0 ? x_batch.data() : outs[l - 1].data(), outs[l].data(), deltas[l].data(), rows,
                              params + net.offset(l), scale, grads.data() + net.offset(l),
                              l == 0 ? nullptr : deltas[l - 1].data(), quiet);
      }
      const double squares = optimizer.step(params, grads.data(), static_cast<T>(p.alpha / static_cast<double>(rows)), quiet);
      accumulated += loss_sum + 0.5 * p.alpha * squares;
    }
    ++state.n_iter;
    state.samples_seen += static_cast<double>(n_train);
    const double loss = accumulated / static_cast<double>(n_train);
    state.loss_curve.push_back(loss);
    if (!std::isfinite(loss))
      throw_range("Expected a finite training loss but received " + std::to_string(loss) +
                  " in epoch " + std::to_string(state.n_iter) + ": lower learningRateInit or scale X");
    if (early_stopping) {
      net.predict(x, val.data(), val.size(), params, val_out.data(), quiet);
      const double score = validation_score(val_out.data(), val.size(), k, targets, val.data(), p.loss, p.classifier);
      state.validation_scores.push_back(score);
      state.no_improvement = score < state.best_validation_score + p.tol ? state.no_improvement + 1 : 0;
      if (score > state.best_validation_score) {
        state.best_validation_score = score;
        std::copy(params, params + n_params, best.begin());
      }
    } else {
      state.no_improvement = loss > state.best_loss - p.tol ? state.no_improvement + 1 : 0;
      state.best_loss = std::min(state.best_loss, loss);
    }
    optimizer.epoch_end(state.samples_seen);
    ctx.report(static_cast<double>(epoch + 1) / static_cast<double>(epochs));
    if (state.no_improvement > p.n_iter_no_change) {
      if (optimizer.should_stop()) {
        state.stopped = true;
        break;
      }
      state.no_improvement = 0;
    }
  }
  if (early_stopping) state.params = std::move(best);
  state.optimizer = optimizer.state();
}

template <class TX, class T>
void mlp_predict(const TX* x, std::size_t n, const MlpParams& params, const T* weights, T* out, const ExecContext& ctx) {
  const Network<T> net(params.widths, params.activation, params.loss);
  net.predict(x, nullptr, n, weights, out, ctx, true);
}

#define THREADML_INSTANTIATE(TX, T)                                                                                   \
  template void mlp_fit<TX, T>(const TX*, std::size_t, const Targets&, const MlpParams&, MlpState<T>&, const ExecContext&); \
  template void mlp_predict<TX, T>(const TX*, std::size_t, const MlpParams&, const T*, T*, const ExecContext&);
THREADML_INSTANTIATE(float, float)
THREADML_INSTANTIATE(double, float)
THREADML_INSTANTIATE(float, double)
THREADML_INSTANTIATE(double, double)
#undef THREADML_INSTANTIATE

template double validation_score<float>(const float*, std::size_t, std::size_t, const Targets&, const uint32_t*, Loss, bool);
template double validation_score<double>(const double*, std::size_t, std::size_t, const Targets&, const uint32_t*, Loss, bool);

}  // namespace threadml::nn
