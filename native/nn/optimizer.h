// scikit-learn's stochastic optimizers (sklearn/neural_network/_stochastic_optimizers.py) over one
// flat parameter vector. A step also adds the L2 penalty's gradient to the penalised parameters and
// returns their squared norm before the update (for the loss), so the parameters are read once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/parallel.h"

namespace threadml::nn {

// A run of parameters that the L2 penalty does (weights) or does not (biases) apply to.
struct Segment {
  std::size_t offset = 0, size = 0;
  bool penalized = false;
};

enum class Schedule { Constant = 0, InvScaling = 1, Adaptive = 2 };

struct OptimizerParams {
  bool adam = true;
  double learning_rate_init = 1e-3;
  Schedule schedule = Schedule::Constant;  // sgd only, as in scikit-learn
  double power_t = 0.5;
  double momentum = 0.9;
  bool nesterov = true;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
};

// What carries over between fit calls (partialFit, warm start): moments or velocities, the step
// count and the current learning rate.
template <class T>
struct OptimizerState {
  std::vector<T> buffers;  // adam: m then v; sgd: velocities
  int64_t steps = 0;
  double learning_rate = 0.0;
};

template <class T>
class Optimizer {
 public:
  Optimizer(const OptimizerParams& params, std::vector<Segment> segments, std::size_t size, OptimizerState<T> state);

  // params -= update(grads + l2 * params on penalised segments); returns the penalised parameters'
  // sum of squares before the update, summed in a fixed order of fixed chunks.
  double step(T* params, const T* grads, T l2, const ExecContext& ctx);
  // After each epoch, with the samples seen so far (invscaling).
  void epoch_end(double samples_seen);
  // When the loss stopped improving: false when the adaptive schedule lowers the rate instead.
  bool should_stop();
  const OptimizerState<T>& state() const { return state_; }

 private:
  struct Chunk {
    std::size_t offset, size;
    bool penalized;
  };
  OptimizerParams p_;
  std::size_t size_;
  std::vector<Chunk> chunks_;
  std::vector<double> partial_;
  OptimizerState<T> state_;
};

}  // namespace threadml::nn
