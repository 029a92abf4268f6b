#include "linear/saga.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace threadml::linear {

namespace {

// splitmix64: a small seeded generator whose sequence is the same on every platform (the
// distributions of <random> are not).
class SampleOrder {
 public:
  explicit SampleOrder(uint64_t seed) : state_(seed) {}
  // Uniform in [0, n) by Lemire's multiply-shift (bias below 2^-32 for any realistic n).
  std::size_t next(std::size_t n) {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<std::size_t>((static_cast<unsigned __int128>(z) * n) >> 64);
  }

 private:
  uint64_t state_;
};

constexpr std::size_t kCancelPollRows = 1024;

}  // namespace

template <class T>
SagaResult saga_minimize(const LogisticData<T>& data, double* w, const SagaOptions& options, const ExecContext& ctx) {
  const std::size_t n = data.n, d = data.d, coef_size = data.coef_size();
  const int outputs = data.outputs;
  // scikit-learn's get_auto_step_size for SAGA and the log loss; the Lipschitz bound also scales with
  // the largest sample weight, which keeps heavily weighted rows from making the steps diverge.
  double max_squared_sum = 0.0, max_weight = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const T* x = data.x + i * d;
    double s = 0.0;
    for (std::size_t j = 0; j < d; ++j) s += static_cast<double>(x[j]) * x[j];
    max_squared_sum = std::max(max_squared_sum, s);
    max_weight = std::max(max_weight, data.weight(i));
  }
  const double lipschitz = 0.25 * (max_squared_sum + (data.fit_intercept ? 1.0 : 0.0)) * std::max(max_weight, 1.0) + options.alpha;
  const double step = 1.0 / (2.0 * lipschitz + std::min(2.0 * static_cast<double>(n) * options.alpha, lipschitz));
  const double shrink = 1.0 - step * options.alpha;
  const double threshold = step * options.beta;

  double* coef = w;
  double* intercept = data.fit_intercept ? w + coef_size : nullptr;
  std::vector<double> memory(n * outputs, 0.0);  // each row's last d loss / d z
  std::vector<char> seen(n, 0);
  std::vector<double> sum_coef(coef_size, 0.0), sum_intercept(outputs, 0.0), previous(coef, coef + coef_size);
  std::vector<double> z(outputs), dz(outputs);
  std::size_t n_seen = 0;
  SampleOrder order(options.seed);
  SagaResult result;
  for (int epoch = 0; epoch < options.max_epochs; ++epoch) {
    for (std::size_t draw = 0; draw < n; ++draw) {
      if (draw % kCancelPollRows == 0) {
        ctx.check_cancelled();
        ctx.report((epoch + static_cast<double>(draw) / n) / options.max_epochs);
      }
      const std::size_t i = order.next(n);
      const T* x = data.x + i * d;
      for (int k = 0; k < outputs; ++k) {
        const double* ck = coef + k * d;
        double s = intercept != nullptr ? intercept[k] : 0.0;
        for (std::size_t j = 0; j < d; ++j) s += ck[j] * x[j];
        z[k] = s;
      }
      if (outputs == 1) binary_row_loss(z[0], data.y[i], dz[0]);
      else softmax_row_loss(z.data(), outputs, data.y[i], dz.data());
      if (!seen[i]) {
        seen[i] = 1;
        ++n_seen;
      }
      const double inv_seen = 1.0 / static_cast<double>(n_seen);
      // w -= step * (g_i(w) - g_i(old) + mean of the remembered gradients), then the l1 prox.
      for (int k = 0; k < outputs; ++k) {
        const double g = data.weight(i) * dz[k];
        const double correction = g - memory[i * outputs + k];
        memory[i * outputs + k] = g;
        const double fresh = (1.0 - inv_seen) * correction;
        double* ck = coef + k * d;
        double* sk = sum_coef.data() + k * d;
        for (std::size_t j = 0; j < d; ++j) {
          sk[j] += correction * x[j];
          const double v = shrink * ck[j] - step * (fresh * x[j] + sk[j] * inv_seen);
          const double magnitude = std::fabs(v) - threshold;
          ck[j] = magnitude > 0.0 ? std::copysign(magnitude, v) : 0.0;
        }
        if (intercept != nullptr) {
          sum_intercept[k] += correction;
          intercept[k] -= step * (fresh + sum_intercept[k] * inv_seen);
        }
      }
    }
    result.epochs = epoch + 1;
    double max_change = 0.0, max_coef = 0.0;
    for (std::size_t j = 0; j < coef_size; ++j) {
      max_change = std::max(max_change, std::fabs(coef[j] - previous[j]));
      max_coef = std::max(max_coef, std::fabs(coef[j]));
      previous[j] = coef[j];
    }
    if (!std::isfinite(max_change))
      throw_range("Expected a problem SAGA can solve but received one where its steps diverged (scale the features)");
    if ((max_coef > 0.0 && max_change <= options.tol * max_coef) || (max_coef == 0.0 && max_change == 0.0)) {
      result.converged = true;
      break;
    }
  }
  return result;
}

template SagaResult saga_minimize<double>(const LogisticData<double>&, double*, const SagaOptions&, const ExecContext&);
template SagaResult saga_minimize<float>(const LogisticData<float>&, double*, const SagaOptions&, const ExecContext&);

}  // namespace threadml::linear
