// SAGA (Defazio, Bach and Lacoste-Julien, 2014) with a proximal step for the l1 part: the solver
// for l1 and elastic-net penalties, with scikit-learn's step size and stopping rule. It visits one
// row at a time and so runs on one thread; the sample order comes from the seed alone.
#pragma once
#include <cstdint>

#include "core/parallel.h"
#include "linear/logistic_loss.h"

namespace threadml::linear {

struct SagaOptions {
  // Minimises (1/n) sum_i sw_i logloss_i + alpha/2 ||W||^2 + beta ||W||_1 (intercepts not penalised).
  double alpha = 0.0;
  double beta = 0.0;
  int max_epochs = 100;
  double tol = 1e-4;  // stop when max |W - W_previous_epoch| <= tol * max |W|
  uint64_t seed = 0;
};

struct SagaResult {
  int epochs = 0;
  bool converged = false;
};

// w holds the starting point (LogisticData's layout) and receives the solution.
template <class T>
SagaResult saga_minimize(const LogisticData<T>& data, double* w, const SagaOptions& options, const ExecContext& ctx);

}  // namespace threadml::linear
