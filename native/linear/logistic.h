// Logistic regression with scikit-learn's objective and model layout: fit (L-BFGS or SAGA,
// multinomial or one-vs-rest), prediction, and the objective with its gradient.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/parallel.h"

namespace threadml::linear {

// Values shared with lib/linear_model/logistic.ts.
enum class Penalty : int32_t { None = 0, L2 = 1, L1 = 2, ElasticNet = 3 };
enum class Solver : int32_t { Lbfgs = 0, Saga = 1 };

struct LogisticParams {
  int classes = 2;           // distinct labels (>= 2); y holds indices in [0, classes)
  bool multinomial = false;  // one softmax over all classes; otherwise one binary model per class
  Penalty penalty = Penalty::L2;
  double C = 1.0;
  double l1_ratio = 0.0;  // elastic net: the l1 share of the penalty
  bool fit_intercept = true;
  double tol = 1e-4;
  int max_iter = 100;
  Solver solver = Solver::Lbfgs;
  uint64_t seed = 0;          // SAGA's sample order
  bool balanced_ovr = false;  // 'balanced' class weights recomputed for each one-vs-rest problem
};

// The fitted model as scikit-learn stores it: one row of coefficients for two classes (the positive
// class's; with multinomial, the second row of the softmax, whose first row is its negative),
// otherwise one row per class.
struct LogisticModel {
  std::size_t rows = 0, d = 0;
  std::vector<double> coef;       // rows x d
  std::vector<double> intercept;  // rows (zeros without an intercept)
  std::vector<int32_t> n_iter;    // per binary problem (one-vs-rest) or one value
  bool converged = true;
};

inline std::size_t model_rows(int classes) { return classes == 2 ? 1 : static_cast<std::size_t>(classes); }

// Rejects NaN and infinities in x (n x d) with a RangeError naming the first one.
template <class T>
void check_finite(const T* x, std::size_t n, std::size_t d, const char* name, const ExecContext& ctx);

// sample_weight may be nullptr (all ones); class weights are already folded into it. start, when
// not nullptr, holds a model of the same shape to start from (warm start).
template <class T>
LogisticModel logistic_fit(const T* x, std::size_t n, std::size_t d, const int32_t* y, const double* sample_weight,
                           const LogisticParams& params, const LogisticModel* start, const ExecContext& ctx);

// The objective lbfgs minimises, (sum_i sw_i logloss_i + R(W) / C) / sum_i sw_i, at `model`, with
// its gradient in the model's layout (coefficients then intercepts; for l1 the subgradient with
// sign(0) = 0). For one-vs-rest models it is the sum of the binary problems' objectives.
template <class T>
double logistic_objective(const T* x, std::size_t n, std::size_t d, const int32_t* y, const double* sample_weight,
                          const LogisticParams& params, const LogisticModel& model, std::vector<double>& gradient,
                          const ExecContext& ctx);

// Values shared with lib/linear_model/logistic.ts.
enum class PredictMode : int32_t { Decision = 0, Proba = 1, LogProba = 2, Class = 3 };

// Decision: n x rows scores. Proba/LogProba: n x classes values. Class: n indices into the classes.
template <class T>
void logistic_predict(const T* x, std::size_t n, std::size_t d, const T* coef, const T* intercept, int classes,
                      bool multinomial, PredictMode mode, T* out, int32_t* out_class, const ExecContext& ctx);

}  // namespace threadml::linear
