#include "linear/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace threadml::linear {

namespace {

double dot(const double* a, const double* b, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

double max_abs(const double* a, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i]));
  return m;
}

// One safeguarded step of More and Thuente (1994), as MINPACK-2's dcstep: updates the interval
// [stx, sty] known to contain a step satisfying the strong Wolfe conditions and returns the next
// trial step from cubic and quadratic interpolation of f and f'.
struct Endpoint {
  double step, f, g;
};

double more_thuente_step(Endpoint& x, Endpoint& y, const Endpoint& t, bool& bracketed, double stpmin, double stpmax) {
  const double stp = t.step, fp = t.f, dp = t.g;
  const double sgnd = dp * (x.g / std::fabs(x.g));
  double stpf;
  auto cubic_gamma = [](double theta, double a, double b, bool clamp) {
    const double s = std::max({std::fabs(theta), std::fabs(a), std::fabs(b)});
    const double r = (theta / s) * (theta / s) - (a / s) * (b / s);
    return s * std::sqrt(clamp ? std::max(0.0, r) : r);
  };
  if (fp > x.f) {
    // Higher function value: the minimum is bracketed; take the cubic step if closer to stx.
    const double theta = 3.0 * (x.f - fp) / (stp - x.step) + x.g + dp;
    double gamma = cubic_gamma(theta, x.g, dp, false);
    if (stp < x.step) gamma = -gamma;
    const double p = (gamma - x.g) + theta;
    const double q = ((gamma - x.g) + gamma) + dp;
    const double stpc = x.step + (p / q) * (stp - x.step);
    const double stpq = x.step + ((x.g / ((x.f - fp) / (stp - x.step) + x.g)) / 2.0) * (stp - x.step);
    stpf = std::fabs(stpc - x.step) < std::fabs(stpq - x.step) ? stpc : stpc + (stpq - stpc) / 2.0;
    bracketed = true;
  } else if (sgnd < 0.0) {
    // Derivatives of opposite sign: bracketed; take the step farther from stp.
    const double theta = 3.0 * (x.f - fp) / (stp - x.step) + x.g + dp;
    double gamma = cubic_gamma(theta, x.g, dp, false);
    if (stp > x.step) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + x.g;
    const double stpc = stp + (p / q) * (x.step - stp);
    const double stpq = stp + (dp / (dp - x.g)) * (x.step - stp);
    stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
    bracketed = true;
  } else if (std::fabs(dp) < std::fabs(x.g)) {
    // Same sign, decreasing magnitude: the cubic step only if it heads the right way.
    const double theta = 3.0 * (x.f - fp) / (stp - x.step) + x.g + dp;
    double gamma = cubic_gamma(theta, x.g, dp, true);
    if (stp > x.step) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = (gamma + (x.g - dp)) + gamma;
    const double r = p / q;
    double stpc;
    if (r < 0.0 && gamma != 0.0) stpc = stp + r * (x.step - stp);
    else stpc = stp > x.step ? stpmax : stpmin;
    const double stpq = stp + (dp / (dp - x.g)) * (x.step - stp);
    if (bracketed) {
      stpf = std::fabs(stpc - stp) < std::fabs(stpq - stp) ? stpc : stpq;
      stpf = stp > x.step ? std::min(stp + 0.66 * (y.step - stp), stpf) : std::max(stp + 0.66 * (y.step - stp), stpf);
    } else {
      stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
      stpf = std::max(stpmin, std::min(stpmax, stpf));
    }
  } else if (bracketed) {
    // Same sign, no decrease in magnitude: cubic step towards sty.
    const double theta = 3.0 * (fp - y.f) / (y.step - stp) + y.g + dp;
    double gamma = cubic_gamma(theta, y.g, dp, false);
    if (stp > y.step) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + y.g;
    stpf = stp + (p / q) * (y.step - stp);
  } else {
    stpf = stp > x.step ? stpmax : stpmin;
  }
  if (fp > x.f) {
    y = t;
  } else {
    if (sgnd < 0.0) y = x;
    x = t;
  }
  return stpf;
}

// The line search driver of MINPACK-2's dcsrch with L-BFGS-B's constants: sufficient decrease
// ftol 1e-3, curvature 0.9, interval tolerance 0.1. phi(step) evaluates f and the directional
// derivative at x0 + step * d. Returns false when max_evals ran out before an acceptable step.
template <class Phi>
bool more_thuente(Phi&& phi, double f0, double g0, double step, double stpmax, int max_evals) {
  constexpr double kFtol = 1e-3, kGtol = 0.9, kXtol = 0.1, kStpmin = 0.0;
  constexpr double kExtrapLower = 1.1, kExtrapUpper = 4.0;
  const double gtest = kFtol * g0;
  bool bracketed = false;
  int stage = 1;
  double width = stpmax - kStpmin, width1 = 2.0 * width;
  Endpoint x{0.0, f0, g0}, y{0.0, f0, g0};
  double stmin = 0.0, stmax = step + kExtrapUpper * step;
  for (int eval = 0; eval < max_evals; ++eval) {
    double f, g;
    phi(step, f, g);
    const double ftest = f0 + step * gtest;
    if (stage == 1 && f <= ftest && g >= 0.0) stage = 2;
    // Accept the step when the strong Wolfe conditions hold, or when rounding leaves no room to do
    // better (L-BFGS-B accepts a step after each of dcsrch's warnings as well).
    if (bracketed && (step <= stmin || step >= stmax)) return true;
    if (bracketed && stmax - stmin <= kXtol * stmax) return true;
    if (step == stpmax && f <= ftest && g <= gtest) return true;
    if (step == kStpmin && (f > ftest || g >= gtest)) return true;
    if (f <= ftest && std::fabs(g) <= kGtol * (-g0)) return true;
    Endpoint t{step, f, g};
    if (stage == 1 && f <= x.f && f > ftest) {
      // The modified function psi(step) = f - step * gtest keeps the search off steps that merely
      // satisfy the curvature condition without sufficient decrease.
      Endpoint xm{x.step, x.f - x.step * gtest, x.g - gtest}, ym{y.step, y.f - y.step * gtest, y.g - gtest};
      const Endpoint tm{step, f - step * gtest, g - gtest};
      step = more_thuente_step(xm, ym, tm, bracketed, stmin, stmax);
      x = {xm.step, xm.f + xm.step * gtest, xm.g + gtest};
      y = {ym.step, ym.f + ym.step * gtest, ym.g + gtest};
    } else {
      step = more_thuente_step(x, y, t, bracketed, stmin, stmax);
    }
    if (bracketed) {
      if (std::fabs(y.step - x.step) >= 0.66 * width1) step = x.step + 0.5 * (y.step - x.step);
      width1 = width;
      width = std::fabs(y.step - x.step);
      stmin = std::min(x.step, y.step);
      stmax = std::max(x.step, y.step);
    } else {
      stmin = step + kExtrapLower * (step - x.step);
      stmax = step + kExtrapUpper * (step - x.step);
    }
    step = std::min(std::max(step, kStpmin), stpmax);
    if ((bracketed && (step <= stmin || step >= stmax)) || (bracketed && stmax - stmin <= kXtol * stmax)) step = x.step;
  }
  return false;
}

}  // namespace

LbfgsResult lbfgs_minimize(const Objective& f, double* x, std::size_t n, const LbfgsOptions& options,
                           const IterationHook& on_iteration) {
  const std::size_t m = static_cast<std::size_t>(std::max(1, options.memory));
  std::vector<double> g(n), d(n), x0(n), g0(n), alpha(m), rho(m);
  std::vector<std::vector<double>> s(m, std::vector<double>(n)), y(m, std::vector<double>(n));
  std::size_t stored = 0, newest = 0;  // ring buffer of correction pairs

  LbfgsResult result;
  result.f = f(x, g.data());
  result.evaluations = 1;
  if (max_abs(g.data(), n) <= options.gtol) {
    result.status = LbfgsStatus::GradientTolerance;
    return result;
  }
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  double gamma = 1.0;  // initial inverse-Hessian scale s'y / y'y of the newest pair
  while (result.iterations < options.max_iter) {
    // Two-loop recursion: d = -H g.
    for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
    for (std::size_t k = 0; k < stored; ++k) {
      const std::size_t j = (newest + m - k) % m;
      alpha[j] = rho[j] * dot(s[j].data(), d.data(), n);
      for (std::size_t i = 0; i < n; ++i) d[i] -= alpha[j] * y[j][i];
    }
    for (std::size_t i = 0; i < n; ++i) d[i] *= gamma;
    for (std::size_t k = stored; k-- > 0;) {
      const std::size_t j = (newest + m - k) % m;
      const double beta = rho[j] * dot(y[j].data(), d.data(), n);
      for (std::size_t i = 0; i < n; ++i) d[i] += (alpha[j] - beta) * s[j][i];
    }
    double slope = dot(g.data(), d.data(), n);
    if (!(slope < 0.0)) {
      // Not a descent direction (rounding in the memory): restart from steepest descent.
      stored = 0;
      gamma = 1.0;
      for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = dot(g.data(), d.data(), n);
    }
    std::copy(x, x + n, x0.begin());
    std::copy(g.begin(), g.end(), g0.begin());
    const double f_old = result.f;
    // As L-BFGS-B, the first trial moves x by a distance of 1; with a memory the quasi-Newton step 1 is tried.
    const double step0 = stored == 0 ? std::min(1.0 / std::sqrt(dot(d.data(), d.data(), n)), 1e10) : 1.0;
    double f_new = f_old;
    auto phi = [&](double step, double& fv, double& gv) {
      for (std::size_t i = 0; i < n; ++i) x[i] = x0[i] + step * d[i];
      fv = f_new = f(x, g.data());
      ++result.evaluations;
      gv = dot(g.data(), d.data(), n);
    };
    if (!more_thuente(phi, f_old, slope, step0, 1e10, options.max_line_search)) {
      std::copy(x0.begin(), x0.end(), x);
      std::copy(g0.begin(), g0.end(), g.begin());
      if (stored == 0) {
        result.status = LbfgsStatus::LineSearchFailed;
        return result;
      }
      stored = 0;  // as L-BFGS-B: forget the memory and retry along the steepest descent
      gamma = 1.0;
      continue;
    }
    result.f = f_new;
    ++result.iterations;
    on_iteration(result.iterations);
    if (max_abs(g.data(), n) <= options.gtol) {
      result.status = LbfgsStatus::GradientTolerance;
      return result;
    }
    if (f_old - f_new <= options.ftol * std::max({std::fabs(f_old), std::fabs(f_new), 1.0})) {
      result.status = LbfgsStatus::RelativeReduction;
      return result;
    }
    // New correction pair, skipped (as L-BFGS-B does) when the curvature s'y is not safely positive.
    const std::size_t slot = stored == 0 ? 0 : (newest + 1) % m;
    double sy = 0.0, yy = 0.0, ss_dir = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      s[slot][i] = x[i] - x0[i];
      y[slot][i] = g[i] - g0[i];
      sy += s[slot][i] * y[slot][i];
      yy += y[slot][i] * y[slot][i];
      ss_dir -= g0[i] * s[slot][i];
    }
    if (sy > kEps * ss_dir) {
      rho[slot] = 1.0 / sy;
      gamma = sy / yy;
      newest = slot;
      stored = std::min(stored + 1, m);
    }
  }
  result.status = LbfgsStatus::MaxIterations;
  return result;
}

}  // namespace threadml::linear
