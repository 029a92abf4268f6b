#include "nn/optimizer.h"

#include <cmath>
#include <utility>

#include "core/status.h"

namespace threadml::nn {

namespace {
// An update streams 4-5 arrays of the parameters' size: a second thread pays from ~64 K parameters.
constexpr std::size_t kChunk = std::size_t{1} << 14;
constexpr std::size_t kMinPerThread = std::size_t{1} << 16;

// Compiled for AVX-512, AVX2 and the baseline, chosen at load time (GCC function multiversioning):
// the update is elementwise (and the sum of squares in explicit lanes), so every version gives the
// same bits; the wider ones just stream the four arrays faster.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define THREADML_NN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define THREADML_NN_CLONES
#endif

struct UpdateScalars {
  double penalty, a, b, c, d, e, eps;  // see Optimizer::step
  bool nesterov;
};

// In 8 interleaved lanes: one serial chain of double additions would take longer than the update.
template <class T>
[[gnu::always_inline]] inline double sum_of_squares(const T* w, std::size_t n) {
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

template <class T>
[[gnu::always_inline]] inline void adam_update(T* __restrict w, const T* __restrict g, T* __restrict m, T* __restrict v,
                                               std::size_t n, const UpdateScalars& s) {
  const T penalty = static_cast<T>(s.penalty), a = static_cast<T>(s.a), b = static_cast<T>(s.b),
          c = static_cast<T>(s.c), d = static_cast<T>(s.d), e = static_cast<T>(s.e), eps = static_cast<T>(s.eps);
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = g[i] + penalty * w[i];
    const T mi = a * m[i] + b * gi;
    const T vi = c * v[i] + d * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= e * mi / (std::sqrt(vi) + eps);
  }
}

template <class T>
[[gnu::always_inline]] inline void sgd_update(T* __restrict w, const T* __restrict g, T* __restrict vel, std::size_t n,
                                              const UpdateScalars& s) {
  const T penalty = static_cast<T>(s.penalty), a = static_cast<T>(s.a), b = static_cast<T>(s.b);
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = g[i] + penalty * w[i];
    const T vi = a * vel[i] - b * gi;
    vel[i] = vi;
    w[i] += s.nesterov ? a * vi - b * gi : vi;
  }
}

// One chunk's update; returns the sum of squares of w before it when asked.
#define THREADML_UPDATE_CHUNK(T)                                                                                   \
  THREADML_NN_CLONES double update_chunk(T* w, const T* g, T* first, T* second, std::size_t n, bool squares,      \
                                         const UpdateScalars& s) {                                                 \
    const double sum = squares ? sum_of_squares(w, n) : 0.0;                                                       \
    if (second != nullptr) adam_update(w, g, first, second, n, s);                                                 \
    else sgd_update(w, g, first, n, s);                                                                            \
    return sum;                                                                                                    \
  }
THREADML_UPDATE_CHUNK(float)
THREADML_UPDATE_CHUNK(double)
#undef THREADML_UPDATE_CHUNK
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
  // Scalars of the update, resolved once per step in double (rounded to T inside the update).
  UpdateScalars s{};
  if (p_.adam) {
    const double t = static_cast<double>(state_.steps);
    const double lr = p_.learning_rate_init * std::sqrt(1.0 - std::pow(p_.beta2, t)) / (1.0 - std::pow(p_.beta1, t));
    s = {0.0, p_.beta1, 1.0 - p_.beta1, p_.beta2, 1.0 - p_.beta2, lr, p_.epsilon, false};
  } else {
    s = {0.0, p_.momentum, state_.learning_rate, 0.0, 0.0, 0.0, 0.0, p_.nesterov};
  }
  parallel_for(ctx.for_work(size_, kMinPerThread), chunks_.size(), [&](std::size_t task) {
    const Chunk& ch = chunks_[task];
    UpdateScalars chunk = s;
    chunk.penalty = ch.penalized ? static_cast<double>(l2) : 0.0;
    partial_[task] = update_chunk(params + ch.offset, grads + ch.offset, first + ch.offset,
                                  second == nullptr ? nullptr : second + ch.offset, ch.size, ch.penalized, chunk);
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
