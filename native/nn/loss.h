// Output layers' losses, each paired with its output activation as scikit-learn pairs them: squared
// error after identity (regression), binary cross-entropy after the logistic (two classes,
// multilabel), cross-entropy after softmax (multiclass). For all three the gradient with respect to
// the pre-activation output z is p - y, which the loss kernel writes directly.
#pragma once
#include <cstddef>
#include <cstdint>

namespace threadml::nn {

enum class Loss { Squared = 0, Logistic = 1, Softmax = 2 };

// Targets of the whole data set: class indices (Softmax) or a rows x cols matrix of values (0/1 for
// Logistic). A batch refers to its rows through an index into them.
struct Targets {
  const int32_t* labels = nullptr;
  const double* values = nullptr;
  std::size_t cols = 0;
};

// z: the batch's output before the activation (rows x cols), batch row i being data row index[i].
// Writes delta = dloss_i/dz and returns the sum over the batch of each row's loss, as scikit-learn
// computes it: probabilities clipped to [eps, 1 - eps] of T, squared error averaged over the outputs.
template <class T>
double loss_gradient(Loss loss, const T* z, std::size_t rows, std::size_t cols, const Targets& targets,
                     const uint32_t* index, T* delta);

// The output activation in place (inference): identity, logistic or softmax, row by row.
template <class T>
void output_activation(Loss loss, T* z, std::size_t rows, std::size_t cols);

}  // namespace threadml::nn
