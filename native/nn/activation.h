// Elementwise activation kernels, fused with the bias so each pass touches a layer's output once:
// forward: z = act(z + b); backward: delta *= act'(out) and, in the same pass, the bias gradient.
#pragma once
#include <cstddef>

#include "core/parallel.h"

namespace threadml::nn {

enum class Activation { Identity = 0, Relu = 1, Tanh = 2, Logistic = 3 };

// z (rows x cols, row-major) = act(z + bias), bias of length cols.
template <class T>
void bias_activation(T* z, std::size_t rows, std::size_t cols, const T* bias, Activation act, const ExecContext& ctx);

// delta = delta * act'(out), where out = act(z) is the forward output (every derivative used here
// is a function of the output), and bias_grad[j] = scale * sum_i delta[i][j] summed in row order.
template <class T>
void activation_backward(const T* out, T* delta, std::size_t rows, std::size_t cols, Activation act, T scale,
                         T* bias_grad, const ExecContext& ctx);

}  // namespace threadml::nn
