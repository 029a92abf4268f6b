// Layers of a feed-forward network. Each layer reads its parameters from, and writes its gradients
// to, its own slice of the network's flat parameter and gradient vectors, so an optimizer sees one
// contiguous vector whatever the layers are. Activations flow as row-major blocks of rows: a layer
// maps rows x in_width() to rows x out_width() (a convolution would flatten channels x height x width).
#pragma once
#include <cstddef>

#include "core/parallel.h"
#include "core/rng.h"
#include "nn/activation.h"

namespace threadml::nn {

template <class T>
class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::size_t in_width() const = 0;
  virtual std::size_t out_width() const = 0;
  virtual std::size_t param_count() const = 0;
  // The first penalized_count() parameters take the L2 penalty (weights; biases are not penalised).
  virtual std::size_t penalized_count() const = 0;
  virtual void init(T* params, Rng& rng) const = 0;
  // out = f(in; params).
  virtual void forward(const T* in, std::size_t rows, const T* params, T* out, const ExecContext& ctx) const = 0;
  // From d_out = dLoss/d(out) (overwritten: it becomes the gradient before the activation), writes
  // scale x the parameters' gradient into grads and, unless d_in is null, dLoss/d(in) into d_in.
  // `in` and `out` are the forward pass's input and output.
  virtual void backward(const T* in, const T* out, T* d_out, std::size_t rows, const T* params, T scale, T* grads,
                        T* d_in, const ExecContext& ctx) const = 0;
};

// out = act(in . W + b): W is in x out row-major (scikit-learn's coefs_ layout), followed by b.
template <class T>
class Dense final : public Layer<T> {
 public:
  Dense(std::size_t in, std::size_t out, Activation act, double init_factor)
      : in_(in), out_(out), act_(act), init_factor_(init_factor) {}
  std::size_t in_width() const override { return in_; }
  std::size_t out_width() const override { return out_; }
  std::size_t param_count() const override { return in_ * out_ + out_; }
  std::size_t penalized_count() const override { return in_ * out_; }
  void init(T* params, Rng& rng) const override;
  void forward(const T* in, std::size_t rows, const T* params, T* out, const ExecContext& ctx) const override;
  void backward(const T* in, const T* out, T* d_out, std::size_t rows, const T* params, T scale, T* grads, T* d_in,
                const ExecContext& ctx) const override;

 private:
  std::size_t in_, out_;
  Activation act_;
  double init_factor_;  // Glorot: uniform in +-sqrt(factor / (fan_in + fan_out))
};

}  // namespace threadml::nn
