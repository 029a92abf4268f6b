#include "linear/logistic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/status.h"
#include "linear/lbfgs.h"
#include "linear/logistic_loss.h"
#include "linear/saga.h"

namespace threadml::linear {

namespace {

constexpr std::size_t kScanBlock = std::size_t{1} << 16;  // elements per task of the NaN scan
constexpr std::size_t kMinPredictWork = std::size_t{1} << 20;  // multiply-adds per thread worth waking it

// One optimisation problem of a fit: the multinomial problem, or binary problem `index` (the positive
// class's rows against the rest). Binary labels and per-problem weights live here.
template <class T>
class Problem {
 public:
  Problem(const T* x, std::size_t n, std::size_t d, const int32_t* y, const double* sample_weight,
          const LogisticParams& params, int index)
      : params_(params), index_(index) {
    data_ = {x, n, d, y, sample_weight, params.multinomial ? params.classes : 1, params.fit_intercept};
    if (params.multinomial) return;
    const int32_t positive = params.classes == 2 ? 1 : index;
    labels_.resize(n);
    std::size_t positives = 0;
    for (std::size_t i = 0; i < n; ++i) positives += labels_[i] = y[i] == positive ? 1 : 0;
    data_.y = labels_.data();
    if (params.balanced_ovr && positives > 0 && positives < n) {
      // scikit-learn's 'balanced' for one-vs-rest: n / (2 * count) on the binary labels.
      const double w[2] = {n / (2.0 * (n - positives)), n / (2.0 * positives)};
      weights_.resize(n);
      for (std::size_t i = 0; i < n; ++i) weights_[i] = w[labels_[i]] * data_.weight(i);
      data_.sample_weight = weights_.data();
    }
  }

  const LogisticData<T>& data() const { return data_; }

  double weight_sum() const {
    double sum = 0.0;
    for (std::size_t i = 0; i < data_.n; ++i) sum += data_.weight(i);
    if (!(sum > 0.0)) throw_range("Expected sample weights with a positive sum for sampleWeight but received weights summing to 0");
    return sum;
  }

  // The problem's parameter vector from the stored model, and back. A two-class multinomial model
  // stores only the second softmax row w1; the first is -w1, as the symmetric penalised optimum has.
  std::vector<double> params_of(const LogisticModel& model) const {
    const std::size_t d = data_.d;
    std::vector<double> w(data_.param_size(), 0.0);
    double* coef = w.data();
    double* intercept = coef + data_.coef_size();
    if (two_class_softmax()) {
      for (std::size_t j = 0; j < d; ++j) {
        coef[j] = -model.coef[j];
        coef[d + j] = model.coef[j];
      }
      if (data_.fit_intercept) {
        intercept[0] = -model.intercept[0];
        intercept[1] = model.intercept[0];
      }
      return w;
    }
    const std::size_t first = params_.multinomial ? 0 : index_;
    for (int k = 0; k < data_.outputs; ++k) {
      std::copy_n(model.coef.data() + (first + k) * d, d, coef + k * d);
      if (data_.fit_intercept) intercept[k] = model.intercept[first + k];
    }
    return w;
  }

  // Writes a parameter vector (or, with gradient, the gradient at it) into the model's layout.
  void store(const std::vector<double>& w, std::vector<double>& coef, std::vector<double>& intercept,
             bool gradient) const {
    const std::size_t d = data_.d;
    const double* wc = w.data();
    const double* wi = wc + data_.coef_size();
    if (two_class_softmax()) {
      // d/dw1 of f(-w1, w1) is g1 - g0.
      for (std::size_t j = 0; j < d; ++j) coef[j] = gradient ? wc[d + j] - wc[j] : wc[d + j];
      if (data_.fit_intercept) intercept[0] = gradient ? wi[1] - wi[0] : wi[1];
      return;
    }
    const std::size_t first = params_.multinomial ? 0 : index_;
    for (int k = 0; k < data_.outputs; ++k) {
      std::copy_n(wc + k * d, d, coef.data() + (first + k) * d);
      if (data_.fit_intercept) intercept[first + k] = wi[k];
    }
  }

 private:
  bool two_class_softmax() const { return params_.multinomial && params_.classes == 2; }

  const LogisticParams& params_;
  int index_;
  LogisticData<T> data_;
  std::vector<int32_t> labels_;
  std::vector<double> weights_;
};

int problem_count(const LogisticParams& params) {
  return params.multinomial || params.classes == 2 ? 1 : params.classes;
}

// Adds R(W) / C over the coefficients (never the intercepts) and its (sub)gradient.
double add_penalty(const LogisticParams& params, const double* w, std::size_t coef_size, double* grad) {
  double l1 = 0.0, l2 = 0.0;
  switch (params.penalty) {
    case Penalty::None: return 0.0;
    case Penalty::L2: l2 = 1.0; break;
    case Penalty::L1: l1 = 1.0; break;
    case Penalty::ElasticNet: l1 = params.l1_ratio, l2 = 1.0 - params.l1_ratio; break;
  }
  const double inv_c = 1.0 / params.C;
  double value = 0.0;
  for (std::size_t j = 0; j < coef_size; ++j) {
    const double sign = w[j] > 0.0 ? 1.0 : w[j] < 0.0 ? -1.0 : 0.0;
    value += l1 * std::fabs(w[j]) + 0.5 * l2 * w[j] * w[j];
    grad[j] += inv_c * (l1 * sign + l2 * w[j]);
  }
  return inv_c * value;
}

// The objective lbfgs minimises: (sum_i sw_i logloss_i + R(W) / C) / sum_i sw_i, scaled by the total
// weight so that tol (on its largest gradient component) means the same for any number of rows.
template <class T>
double scaled_objective(const LogisticData<T>& data, double weight_sum, const LogisticParams& params, const double* w,
                        double* grad, const ExecContext& ctx) {
  const double value = logistic_loss_gradient(data, w, grad, ctx) + add_penalty(params, w, data.coef_size(), grad);
  for (std::size_t j = 0; j < data.param_size(); ++j) grad[j] /= weight_sum;
  return value / weight_sum;
}

LogisticModel empty_model(const LogisticParams& params, std::size_t d) {
  LogisticModel model;
  model.rows = model_rows(params.classes);
  model.d = d;
  model.coef.assign(model.rows * d, 0.0);
  model.intercept.assign(model.rows, 0.0);
  model.n_iter.assign(problem_count(params), 0);
  return model;
}

// The same context without progress: a loss evaluation is a step of an iteration, not a pass.
ExecContext quiet(const ExecContext& ctx) {
  ExecContext copy = ctx;
  copy.progress = nullptr;
  return copy;
}

}  // namespace

template <class T>
void check_finite(const T* x, std::size_t n, std::size_t d, const char* name, const ExecContext& ctx) {
  const std::size_t total = n * d, tasks = task_count(total, kScanBlock);
  std::vector<std::size_t> first_bad(tasks, total);
  parallel_for(quiet(ctx).for_work(total, kScanBlock), tasks, [&](std::size_t task) {
    const std::size_t end = std::min(total, (task + 1) * kScanBlock);
    for (std::size_t i = task * kScanBlock; i < end; ++i)
      if (!std::isfinite(x[i])) {
        first_bad[task] = i;
        return;
      }
  });
  const std::size_t bad = *std::min_element(first_bad.begin(), first_bad.end());
  if (bad == total) return;
  const double v = x[bad];
  throw_range(std::string("Expected finite values for ") + name + " but received " +
              (std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") + " at row " + std::to_string(bad / d) +
              ", column " + std::to_string(bad % d));
}

template <class T>
LogisticModel logistic_fit(const T* x, std::size_t n, std::size_t d, const int32_t* y, const double* sample_weight,
                           const LogisticParams& params, const LogisticModel* start, const ExecContext& ctx) {
  check_finite(x, n, d, "X", ctx);
  LogisticModel model = start != nullptr ? *start : empty_model(params, d);
  const int problems = problem_count(params);
  model.n_iter.assign(problems, 0);
  model.converged = true;
  for (int index = 0; index < problems; ++index) {
    const ExecContext pass = ctx.pass(index, problems);
    const Problem<T> problem(x, n, d, y, sample_weight, params, index);
    const LogisticData<T>& data = problem.data();
    std::vector<double> w = problem.params_of(model);
    if (params.solver == Solver::Saga) {
      const double scale = 1.0 / (params.C * static_cast<double>(n));
      const double l1 = params.penalty == Penalty::L1           ? 1.0
                        : params.penalty == Penalty::ElasticNet ? params.l1_ratio
                                                                : 0.0;
      const double l2 = params.penalty == Penalty::None ? 0.0 : 1.0 - l1;
      const SagaResult result = saga_minimize(data, w.data(), {l2 * scale, l1 * scale, params.max_iter, params.tol, params.seed}, pass);
      model.n_iter[index] = result.epochs;
      model.converged = model.converged && result.converged;
    } else {
      const ExecContext eval = quiet(pass);
      const double weight_sum = problem.weight_sum();
      const Objective objective = [&](const double* v, double* g) {
        return scaled_objective(data, weight_sum, params, v, g, eval);
      };
      LbfgsOptions options;
      options.max_iter = params.max_iter;
      options.gtol = params.tol;
      const LbfgsResult result = lbfgs_minimize(objective, w.data(), w.size(), options, [&](int iteration) {
        pass.check_cancelled();
        pass.report(static_cast<double>(iteration) / params.max_iter);
      });
      model.n_iter[index] = result.iterations;
      model.converged = model.converged && result.converged();
    }
    problem.store(w, model.coef, model.intercept, false);
  }
  return model;
}

template <class T>
double logistic_objective(const T* x, std::size_t n, std::size_t d, const int32_t* y, const double* sample_weight,
                          const LogisticParams& params, const LogisticModel& model, std::vector<double>& gradient,
                          const ExecContext& ctx) {
  check_finite(x, n, d, "X", ctx);
  std::vector<double> coef_grad(model.coef.size()), intercept_grad(model.intercept.size(), 0.0);
  double value = 0.0;
  for (int index = 0; index < problem_count(params); ++index) {
    const Problem<T> problem(x, n, d, y, sample_weight, params, index);
    const LogisticData<T>& data = problem.data();
    const std::vector<double> w = problem.params_of(model);
    std::vector<double> g(w.size());
    value += scaled_objective(data, problem.weight_sum(), params, w.data(), g.data(), quiet(ctx));
    problem.store(g, coef_grad, intercept_grad, true);
  }
  gradient = coef_grad;
  gradient.insert(gradient.end(), intercept_grad.begin(), intercept_grad.end());
  return value;
}

template <class T>
void logistic_predict(const T* x, std::size_t n, std::size_t d, const T* coef, const T* intercept, int classes,
                      bool multinomial, PredictMode mode, T* out, int32_t* out_class, const ExecContext& ctx) {
  check_finite(x, n, d, "X", ctx);
  const std::size_t rows = model_rows(classes);
  const std::size_t block = block_rows(d, sizeof(T));
  const ExecContext run = quiet(ctx).for_work(n * d * rows, kMinPredictWork);
  parallel_for(run, task_count(n, block), [&](std::size_t task) {
    const std::size_t first = task * block, end = std::min(n, first + block);
    std::vector<T> buffer(mode == PredictMode::Decision ? 0 : (end - first) * rows);
    T* scores = mode == PredictMode::Decision ? out + first * rows : buffer.data();
    block_scores(x + first * d, end - first, d, coef, static_cast<int>(rows), scores);
    std::vector<double> z(rows), p(rows);
    for (std::size_t i = first; i < end; ++i) {
      T* s = scores + (i - first) * rows;
      for (std::size_t k = 0; k < rows; ++k) z[k] = static_cast<double>(s[k]) + intercept[k];
      if (mode == PredictMode::Decision) {
        for (std::size_t k = 0; k < rows; ++k) s[k] = static_cast<T>(z[k]);
        continue;
      }
      if (mode == PredictMode::Class) {
        out_class[i] = rows == 1 ? (z[0] > 0.0 ? 1 : 0)
                                 : static_cast<int32_t>(std::max_element(z.begin(), z.end()) - z.begin());
        continue;
      }
      T* o = out + i * classes;
      const bool log = mode == PredictMode::LogProba;
      if (rows == 1) {
        // Two classes: sigmoid of the score (twice the score for scikit-learn's two-class softmax);
        // each log-probability straight from softplus, so confident rows keep their precision.
        const double score = multinomial ? 2.0 * z[0] : z[0];
        double p1, p0;
        const double minus_log_p0 = binary_row_loss(score, 0, p1);
        const double minus_log_p1 = binary_row_loss(-score, 0, p0);
        o[0] = static_cast<T>(log ? -minus_log_p0 : p0);
        o[1] = static_cast<T>(log ? -minus_log_p1 : p1);
      } else if (multinomial) {
        // softmax_row_loss with label 0 gives logsumexp(z) - z_0 and p - e_0.
        const double lse = softmax_row_loss(z.data(), classes, 0, p.data()) + z[0];
        p[0] += 1.0;
        for (int k = 0; k < classes; ++k) o[k] = static_cast<T>(log ? z[k] - lse : p[k]);
      } else {
        // One-vs-rest: the classes' sigmoids, normalised.
        double sum = 0.0;
        for (int k = 0; k < classes; ++k) {
          binary_row_loss(z[k], 0, p[k]);
          sum += p[k];
        }
        for (int k = 0; k < classes; ++k) o[k] = static_cast<T>(log ? std::log(p[k] / sum) : p[k] / sum);
      }
    }
  });
}

#define THREADML_LOGISTIC(T)                                                                                          \
  template void check_finite<T>(const T*, std::size_t, std::size_t, const char*, const ExecContext&);              \
  template LogisticModel logistic_fit<T>(const T*, std::size_t, std::size_t, const int32_t*, const double*,           \
                                         const LogisticParams&, const LogisticModel*, const ExecContext&);           \
  template double logistic_objective<T>(const T*, std::size_t, std::size_t, const int32_t*, const double*,            \
                                        const LogisticParams&, const LogisticModel&, std::vector<double>&,            \
                                        const ExecContext&);                                                          \
  template void logistic_predict<T>(const T*, std::size_t, std::size_t, const T*, const T*, int, bool, PredictMode, \
                                    T*, int32_t*, const ExecContext&);
THREADML_LOGISTIC(double)
THREADML_LOGISTIC(float)
#undef THREADML_LOGISTIC

}  // namespace threadml::linear
