#include "linear/logistic_loss.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "linear/blas_calls.h"

namespace threadml::linear {

namespace {

// Enough tasks to balance any likely thread count; every task keeps one partial gradient, so their
// total size is capped as well.
constexpr std::size_t kMaxTasks = 64;
constexpr std::size_t kPartialBytes = std::size_t{256} << 20;
// Multiply-adds per thread below which waking another thread costs more than it saves.
constexpr std::size_t kMinWorkPerThread = std::size_t{1} << 20;

}  // namespace

std::size_t block_rows(std::size_t d, std::size_t element_size) {
  return std::clamp<std::size_t>((std::size_t{1} << 20) / (d * element_size), 16, 4096);
}

template <class T>
void block_scores(const T* x, std::size_t m, std::size_t d, const T* coef, int outputs, T* scores) {
  if (outputs == 1) Blas<T>::gemv(CblasRowMajor, CblasNoTrans, m, d, 1, x, d, coef, 1, 0, scores, 1);
  else Blas<T>::gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, outputs, d, 1, x, d, coef, d, 0, scores, outputs);
}

template void block_scores<double>(const double*, std::size_t, std::size_t, const double*, int, double*);
template void block_scores<float>(const float*, std::size_t, std::size_t, const float*, int, float*);

double binary_row_loss(double z, int32_t label, double& dz) {
  // log(1 + e^z) - y z and sigmoid(z) - y, without overflow for large |z|.
  const double e = std::exp(-std::fabs(z));
  const double softplus = std::max(z, 0.0) + std::log1p(e);
  const double p = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  dz = p - label;
  return softplus - (label == 1 ? z : 0.0);
}

double softmax_row_loss(const double* z, int outputs, int32_t label, double* dz) {
  const double top = *std::max_element(z, z + outputs);
  double sum = 0.0;
  for (int k = 0; k < outputs; ++k) sum += dz[k] = std::exp(z[k] - top);
  for (int k = 0; k < outputs; ++k) dz[k] /= sum;
  dz[label] -= 1.0;
  return top + std::log(sum) - z[label];
}

template <class T>
double logistic_loss_gradient(const LogisticData<T>& data, const double* w, double* grad, const ExecContext& ctx) {
  const std::size_t n = data.n, d = data.d, coef_size = data.coef_size(), params = data.param_size();
  const int outputs = data.outputs;
  const std::size_t rows = block_rows(d, sizeof(T));
  const std::size_t blocks = task_count(n, rows);
  const std::size_t max_tasks = std::max<std::size_t>(1, kPartialBytes / (params * sizeof(double)));
  const std::size_t blocks_per_task = task_count(blocks, std::min({blocks, kMaxTasks, max_tasks}));
  const std::size_t tasks = task_count(blocks, blocks_per_task);

  std::vector<T> coef(w, w + coef_size);  // the BLAS products run in the data's precision
  const double* intercept = data.fit_intercept ? w + coef_size : nullptr;
  std::vector<double> partials(tasks * params), losses(tasks);
  const ExecContext run = ctx.for_work(n * d * static_cast<std::size_t>(outputs), kMinWorkPerThread);
  parallel_for(run, tasks, [&](std::size_t task) {
    double* acc = partials.data() + task * params;
    std::vector<T> scores(rows * outputs), block_grad(coef_size);
    std::vector<double> z(outputs), dz(outputs);
    double loss = 0.0;
    const std::size_t first = task * blocks_per_task * rows;
    const std::size_t last = std::min(n, first + blocks_per_task * rows);
    for (std::size_t r0 = first; r0 < last; r0 += rows) {
      const std::size_t m = std::min(rows, last - r0);
      const T* xb = data.x + r0 * d;
      block_scores(xb, m, d, coef.data(), outputs, scores.data());
      for (std::size_t i = 0; i < m; ++i) {
        T* s = scores.data() + i * outputs;
        for (int k = 0; k < outputs; ++k) z[k] = s[k] + (intercept != nullptr ? intercept[k] : 0.0);
        const double sw = data.weight(r0 + i);
        const int32_t label = data.y[r0 + i];
        const double row_loss =
            outputs == 1 ? binary_row_loss(z[0], label, dz[0]) : softmax_row_loss(z.data(), outputs, label, dz.data());
        loss += sw * row_loss;
        for (int k = 0; k < outputs; ++k) {
          const double g = sw * dz[k];
          s[k] = static_cast<T>(g);
          if (intercept != nullptr) acc[coef_size + k] += g;
        }
      }
      // block_grad = scores^T X_block, the scores now holding d loss / d z
      if (outputs == 1)
        Blas<T>::gemv(CblasRowMajor, CblasTrans, m, d, 1, xb, d, scores.data(), 1, 0, block_grad.data(), 1);
      else
        Blas<T>::gemm(CblasRowMajor, CblasTrans, CblasNoTrans, outputs, d, m, 1, scores.data(), outputs, xb, d, 0,
                      block_grad.data(), d);
      for (std::size_t j = 0; j < coef_size; ++j) acc[j] += block_grad[j];
    }
    losses[task] = loss;
  });
  std::fill(grad, grad + params, 0.0);
  double loss = 0.0;
  for (std::size_t task = 0; task < tasks; ++task) {
    loss += losses[task];
    const double* acc = partials.data() + task * params;
    for (std::size_t j = 0; j < params; ++j) grad[j] += acc[j];
  }
  return loss;
}

template double logistic_loss_gradient<double>(const LogisticData<double>&, const double*, double*, const ExecContext&);
template double logistic_loss_gradient<float>(const LogisticData<float>&, const double*, double*, const ExecContext&);

}  // namespace threadml::linear
