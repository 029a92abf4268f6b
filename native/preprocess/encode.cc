#include "preprocess/encode.h"

#include <algorithm>
#include <atomic>
#include <string>

#include "core/status.h"
#include "preprocess/common.h"

namespace threadml::preprocess {

template <class T>
void encode_columns(const T* x, std::size_t rows, std::size_t cols, const double* categories, const int32_t* offsets,
                    int32_t* codes, const ExecContext& ctx) {
  std::atomic<bool> invalid{false};
  for_row_blocks(ctx, rows, cols, [&](std::size_t, std::size_t r0, std::size_t r1) {
    bool bad = false;
    for (std::size_t r = r0; r < r1; ++r)
      for (std::size_t j = 0; j < cols; ++j) {
        const double v = static_cast<double>(x[r * cols + j]);
        bad |= refused<false>(v);
        const double* first = categories + offsets[j];
        const double* last = categories + offsets[j + 1];
        const double* at = std::lower_bound(first, last, v);
        codes[r * cols + j] = at != last && *at == v ? static_cast<int32_t>(at - first) : -1;
      }
    if (bad) invalid.store(true, std::memory_order_relaxed);
  });
  if (invalid.load()) reject_refused(x, rows, cols, false, ctx);
}

template <class T>
void one_hot(const int32_t* codes, std::size_t rows, std::size_t cols, const int32_t* offsets, T* out,
             const ExecContext& ctx) {
  const std::size_t width = static_cast<std::size_t>(offsets[cols]);
  std::atomic<bool> invalid{false};
  for_row_blocks(ctx, rows, width, [&](std::size_t, std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r)
      for (std::size_t j = 0; j < cols; ++j) {
        const int32_t code = codes[r * cols + j];
        if (code < -1 || code >= offsets[j + 1] - offsets[j]) invalid.store(true, std::memory_order_relaxed);
        else if (code >= 0) out[r * width + static_cast<std::size_t>(offsets[j] + code)] = T(1);
      }
  });
  if (invalid.load()) throw_range("Expected category codes within each column's categories for codes");
}

#define THREADML_INSTANTIATE(T)                                                                              \
  template void encode_columns<T>(const T*, std::size_t, std::size_t, const double*, const int32_t*, int32_t*, \
                                  const ExecContext&);                                                       \
  template void one_hot<T>(const int32_t*, std::size_t, std::size_t, const int32_t*, T*, const ExecContext&);
THREADML_INSTANTIATE(double)
THREADML_INSTANTIATE(float)
#undef THREADML_INSTANTIATE

}  // namespace threadml::preprocess
