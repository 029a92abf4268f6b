// Numeric category codes and their one-hot expansion, for OneHotEncoder and LabelEncoder. String
// categories are coded in TypeScript and share the expansion.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/parallel.h"

namespace threadml::preprocess {

// codes[i][j] = the index of x[i][j] among column j's sorted distinct categories
// categories[offsets[j] .. offsets[j + 1]), or -1 when it is not one of them. NaN and infinities are refused.
template <class T>
void encode_columns(const T* x, std::size_t rows, std::size_t cols, const double* categories, const int32_t* offsets,
                    int32_t* codes, const ExecContext& ctx);

// Writes 1 at out[i][offsets[j] + codes[i][j]] for every code that is not -1; out (rows x
// offsets[cols]) must be zeroed. A code outside [-1, offsets[j + 1] - offsets[j]) is a RangeError.
template <class T>
void one_hot(const int32_t* codes, std::size_t rows, std::size_t cols, const int32_t* offsets, T* out,
             const ExecContext& ctx);

}  // namespace threadml::preprocess
