#include "nn/optimizer.h"

#include <cmath>
#include <utility>

#include "core/status.h"

namespace threadml::nn {

namespace {
// An update streams 4-5 arrays of the parameters' size: a second thread pays from ~64 K parameters.
constexpr std::size_t kChunk = std::size_t{1} << 14;
constexpr std::size_t kMinPerThread = std::size_t{1} << 16;

// In 8 interleaved lanes: one serial chain of double additions would take longer than the update.
template <class T>
double sum_of_squares(const T* w, std::size_t n) {
  constexpr std::size_t kLanes = 8;
  double lanes[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (std::size_t k = 0; k < kLanes; ++k) lanes[k] += static_cast<double>(w[i + k]) * static_cast<double>(w[i + k]);
  for (; i < n; ++i) lanes[0] += static_cast<double>(w[i]) * static_cast<double>(w[i]);
  double sum = 0.0;
  for (const double lane : lanes) sum += lane;
  return sum;
}
}  // namespace

template <class T>
Optimizer<T>::Optimizer(const OptimizerParams& params, std::vector<Segment> segments, std::size_t size,
                        OptimizerState<T> state)
    : p_(params), size_(size), state_(std::move(state)) {
  for (const Segment& s : segments)
    for (std::size_t at = 0; at < s.size; at += kChunk) chunks_.push_back({s.offset + at, std::min(kChunk, s.size - at), s.penalized});
  partial_.resize(chunks_.size());
  const std::size_t wanted = p_.adam ? 2 * size : size;
  if (state_.buffers.empty()) {
    state_.buffers.assign(wanted, T(0));
    state_.steps = 0;
    state_.learning_rate = p_.learning_rate_init;
  } else if (state_.buffers.size() != wanted) {
    throw_range("Expected optimizer state of " + std::to_string(wanted) + " values but received " +
                std::to_string(state_.buffers.size()));
  }
}

template <class T>
double Optimizer<T>::step(T* params, const T* grads, T l2, const ExecContext& ctx) {
  ++state_.steps;
  T* first = state_.buffers.data();
  T* second = p_.adam ? first + size_ : nullptr;
  // Scalars of the update, resolved once per step in double then rounded to T.
  T a, b, c, d, e;
  if (p_.adam) {
    const double t = static_cast<double>(state_.steps);
    const double lr = p_.learning_rate_init * std::sqrt(1.0 - std::pow(p_.beta2, t)) / (1.0 - std::pow(p_.beta1, t));
    a = static_cast<T>(p_.beta1), b = static_cast<T>(1.0 - p_.beta1), c = static_cast<T>(p_.beta2),
    d = static_cast<T>(1.0 - p_.beta2), e = static_cast<T>(lr);
  } else {
    a = static_cast<T>(p_.momentum), b = static_cast<T>(state_.learning_rate), c = d = e = T(0);
  }
  const T eps = static_cast<T>(p_.epsilon);
  const bool adam = p_.adam, nesterov = p_.nesterov;
  // The scalars are captured by value: loads through a reference could alias the stores, and the
  // loop would not vectorise.
  parallel_for(ctx.for_work(size_, kMinPerThread), chunks_.size(), [&, a, b, c, d, e, eps, adam, nesterov](std::size_t task) {
    const Chunk& ch = chunks_[task];
    const T penalty = ch.penalized ? l2 : T(0);
    T* __restrict w = params + ch.offset;
    const T* __restrict g = grads + ch.offset;
    partial_[task] = ch.penalized ? sum_of_squares(w, ch.size) : 0.0;
    if (adam) {
      T* __restrict m = first + ch.offset;
      T* __restrict v = second + ch.offset;
      for (std::size_t i = 0; i < ch.size; ++i) {
        const T gi = g[i] + penalty * w[i];
        const T mi = a * m[i] + b * gi;
        const T vi = c * v[i] + d * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= e * mi / (std::sqrt(vi) + eps);
      }
    } else {
      T* __restrict vel = first + ch.offset;
      for (std::size_t i = 0; i < ch.size; ++i) {
        const T gi = g[i] + penalty * w[i];
        const T vi = a * vel[i] - b * gi;
        vel[i] = vi;
        w[i] += nesterov ? a * vi - b * gi : vi;
      }
    }
  });
  double sum = 0.0;
  for (const double part : partial_) sum += part;
  return sum;
}

template <class T>
void Optimizer<T>::epoch_end(double samples_seen) {
  if (!p_.adam && p_.schedule == Schedule::InvScaling)
    state_.learning_rate = p_.learning_rate_init / std::pow(samples_seen + 1.0, p_.power_t);
}

template <class T>
bool Optimizer<T>::should_stop() {
  if (p_.adam || p_.schedule != Schedule::Adaptive || state_.learning_rate <= 1e-6) return true;
  state_.learning_rate /= 5.0;
  return false;
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace threadml::nn
