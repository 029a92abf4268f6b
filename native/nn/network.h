// A feed-forward network: a stack of layers over one flat parameter vector (layer after layer, each
// its weights then its biases), and its inference path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layer.h"
#include "nn/loss.h"
#include "nn/optimizer.h"

namespace threadml::nn {

// out (rows x cols, type T) = the rows index[0..rows) of x (rows 0..rows when index is null), converted.
template <class TX, class T>
void gather_rows(const TX* x, std::size_t cols, const uint32_t* index, std::size_t rows, T* out, const ExecContext& ctx);

template <class T>
class Network {
 public:
  // widths: input, hidden layers..., outputs. Hidden layers use `hidden`; the output layer is linear
  // and `loss` supplies its activation.
  Network(const std::vector<std::size_t>& widths, Activation hidden, Loss loss);

  std::size_t layer_count() const { return layers_.size(); }
  const Layer<T>& layer(std::size_t l) const { return *layers_[l]; }
  std::size_t offset(std::size_t l) const { return offsets_[l]; }
  std::size_t param_count() const { return offsets_.back(); }
  std::size_t inputs() const { return layers_.front()->in_width(); }
  std::size_t outputs() const { return layers_.back()->out_width(); }
  std::size_t max_width() const;
  Loss loss() const { return loss_; }
  std::vector<Segment> segments() const;

  // Glorot initialisation as scikit-learn's, from `seed`.
  void init(T* params, uint64_t seed) const;

  // out (rows x outputs) = the output activation (probabilities or values) for rows index[0..rows)
  // of x (all rows in order when index is null; only then can check_finite refuse NaN and infinity).
  // Blocks of rows run in parallel, each through the whole network on one thread with its own small
  // buffers: no training state is touched.
  template <class TX>
  void predict(const TX* x, const uint32_t* index, std::size_t rows, const T* params, T* out,
               const ExecContext& ctx, bool check_finite = false) const;

 private:
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<std::size_t> offsets_;
  Loss loss_;
};

}  // namespace threadml::nn
