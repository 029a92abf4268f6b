// Limited-memory BFGS for smooth unconstrained problems, with the More-Thuente line search. It
// follows L-BFGS-B without bounds (as scipy runs it for scikit-learn's 'lbfgs' solver): the same
// first step, line-search constants, curvature skip and restart, so it takes the same path on the
// same objective. It stops at max |g_i| <= gtol; ftol only ends a search that can no longer move f.
#pragma once
#include <cstddef>
#include <functional>

namespace threadml::linear {

struct LbfgsOptions {
  int memory = 10;          // correction pairs kept (scipy's maxcor)
  int max_iter = 100;       // iterations, each ending with an accepted line-search step
  int max_line_search = 50; // evaluations per line search (scipy's maxls)
  double gtol = 1e-4;       // on max |g_i| (scipy's pgtol)
  // On (f_old - f) / max(|f_old|, |f|, 1). scipy's default (factr 1e7, 2.2e-9) often stops far from
  // gtol; 64 epsilon leaves it to detect that rounding, not the optimum, stops progress.
  double ftol = 64 * 2.220446049250313e-16;
};

enum class LbfgsStatus {
  GradientTolerance,  // converged: max |g| <= gtol
  RelativeReduction,  // converged: f stopped decreasing (at rounding level)
  MaxIterations,      // not converged
  LineSearchFailed,   // not converged: no step along the steepest descent satisfied the line search
};

struct LbfgsResult {
  int iterations = 0;
  int evaluations = 0;
  double f = 0.0;
  LbfgsStatus status = LbfgsStatus::MaxIterations;
  bool converged() const { return status == LbfgsStatus::GradientTolerance || status == LbfgsStatus::RelativeReduction; }
};

// f(x, g): the objective at x, with its gradient written to g (n values).
using Objective = std::function<double(const double* x, double* g)>;
// Called after every iteration with the count so far (polls cancellation, reports progress).
using IterationHook = std::function<void(int iteration)>;

// Minimises f starting from x (n values), which holds the solution on return.
LbfgsResult lbfgs_minimize(const Objective& f, double* x, std::size_t n, const LbfgsOptions& options,
                           const IterationHook& on_iteration);

}  // namespace threadml::linear
