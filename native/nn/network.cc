#include "nn/network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "core/status.h"
#include "preprocess/common.h"

namespace threadml::nn {

namespace {
// Rows per inference block: one 256-row block of a 784-256 layer is ~100 MFLOP, and its buffers
// stay in L2.
constexpr std::size_t kPredictRows = 256;
// A copy uses a second thread from this many elements per thread.
constexpr std::size_t kMinCopyPerThread = std::size_t{1} << 16;
constexpr std::size_t kCopyRowGrain = 32;

// Whether every value is finite: a branch-free AND over the block, so it vectorises and costs about
// a read of the block, which the product reads again from cache.
template <class T>
bool all_finite(const T* x, std::size_t n) {
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok &= std::fabs(x[i]) <= std::numeric_limits<T>::max();
  return ok;
}
}  // namespace

template <class TX, class T>
void gather_rows(const TX* x, std::size_t cols, const uint32_t* index, std::size_t rows, T* out,
                 const ExecContext& ctx) {
  parallel_for(ctx.for_work(rows * cols, kMinCopyPerThread), task_count(rows, kCopyRowGrain), [&](std::size_t task) {
    const std::size_t end = std::min(rows, (task + 1) * kCopyRowGrain);
    for (std::size_t i = task * kCopyRowGrain; i < end; ++i) {
      const TX* src = x + (index == nullptr ? i : index[i]) * cols;
      T* dst = out + i * cols;
      if constexpr (std::is_same_v<TX, T>) std::memcpy(dst, src, cols * sizeof(T));
      else
        for (std::size_t j = 0; j < cols; ++j) dst[j] = static_cast<T>(src[j]);
    }
  });
}

template <class T>
Network<T>::Network(const std::vector<std::size_t>& widths, Activation hidden, Loss loss) : loss_(loss) {
  if (widths.size() < 2) throw_range("Expected at least an input and an output layer");
  // scikit-learn's Glorot factor: 2 for logistic hidden units, 6 otherwise, for every layer.
  const double factor = hidden == Activation::Logistic ? 2.0 : 6.0;
  offsets_.push_back(0);
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    if (widths[l] == 0 || widths[l + 1] == 0) throw_range("Expected layer sizes >= 1");
    const bool last = l + 2 == widths.size();
    layers_.push_back(std::make_unique<Dense<T>>(widths[l], widths[l + 1], last ? Activation::Identity : hidden, factor));
    offsets_.push_back(offsets_.back() + layers_.back()->param_count());
  }
}

template <class T>
std::size_t Network<T>::max_width() const {
  std::size_t w = 0;
  for (const auto& layer : layers_) w = std::max(w, layer->out_width());
  return w;
}

template <class T>
std::vector<Segment> Network<T>::segments() const {
  std::vector<Segment> out;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const std::size_t penalized = layers_[l]->penalized_count();
    out.push_back({offsets_[l], penalized, true});
    out.push_back({offsets_[l] + penalized, layers_[l]->param_count() - penalized, false});
  }
  return out;
}

template <class T>
void Network<T>::init(T* params, uint64_t seed) const {
  Rng rng(seed);
  for (std::size_t l = 0; l < layers_.size(); ++l) layers_[l]->init(params + offsets_[l], rng);
}

template <class T>
template <class TX>
void Network<T>::predict(const TX* x, const uint32_t* index, std::size_t rows, const T* params, T* out,
                         const ExecContext& ctx, bool check_finite) const {
  const std::size_t d = inputs(), k = outputs(), width = max_width();
  ExecContext quiet = ctx;
  quiet.progress = nullptr;
  const ExecContext one = ctx.single_threaded();
  const bool direct = std::is_same_v<TX, T> && index == nullptr;  // X is already the first layer's input
  // One task per block, each with its own buffers (allocated per task, never zeroed: ~1 MB against
  // the block's ~100 MFLOP), so a block's result is the same whichever thread computes it.
  parallel_for(quiet, task_count(rows, kPredictRows), [&](std::size_t block) {
    const std::size_t r0 = block * kPredictRows, n = std::min(kPredictRows, rows - r0);
    // Checked block by block (index == nullptr: the rows r0..r0 + n); the exact position is looked
    // up over the whole of X only when a block fails.
    if (check_finite && !all_finite(x + r0 * d, n * d)) preprocess::reject_refused(x, rows, d, false, one);
    const auto input = std::make_unique_for_overwrite<T[]>(direct ? 0 : kPredictRows * d);
    const auto a = std::make_unique_for_overwrite<T[]>(kPredictRows * width);
    const auto b = std::make_unique_for_overwrite<T[]>(kPredictRows * width);
    const T* in;
    if constexpr (std::is_same_v<TX, T>) in = direct ? x + r0 * d : input.get();
    else in = input.get();
    if (!direct) gather_rows(x + (index == nullptr ? r0 * d : 0), d, index == nullptr ? nullptr : index + r0, n, input.get(), one);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      T* dst = l + 1 == layers_.size() ? out + r0 * k : (l % 2 == 0 ? a.get() : b.get());
      layers_[l]->forward(in, n, params + offsets_[l], dst, one);
      in = dst;
    }
    output_activation(loss_, out + r0 * k, n, k);
  });
}

#define THREADML_INSTANTIATE(TX, T)                                                                             \
  template void gather_rows<TX, T>(const TX*, std::size_t, const uint32_t*, std::size_t, T*, const ExecContext&); \
  template void Network<T>::predict<TX>(const TX*, const uint32_t*, std::size_t, const T*, T*, const ExecContext&, bool) const;
THREADML_INSTANTIATE(float, float)
THREADML_INSTANTIATE(double, float)
THREADML_INSTANTIATE(float, double)
THREADML_INSTANTIATE(double, double)
#undef THREADML_INSTANTIATE

template class Network<float>;
template class Network<double>;

}  // namespace threadml::nn
