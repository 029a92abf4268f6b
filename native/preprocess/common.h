// What every preprocessing kernel shares: the split of a row-major matrix into row blocks, and the
// check that names the first value a kernel cannot accept.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "core/parallel.h"

namespace threadml::preprocess {

// A task covers whole rows, about this many elements: tasks depend on the shape only, and
// cancellation is polled every few hundred kilobytes.
constexpr std::size_t kBlockElements = std::size_t{1} << 16;
// Below about this many elements per thread, waking a second thread costs more than it saves.
constexpr std::size_t kMinElementsPerThread = std::size_t{1} << 18;

inline std::size_t rows_per_block(std::size_t cols) { return std::max<std::size_t>(1, kBlockElements / std::max<std::size_t>(1, cols)); }
inline std::size_t row_block_count(std::size_t rows, std::size_t cols) { return task_count(rows, rows_per_block(cols)); }

// Runs body(block, first_row, end_row) over the row blocks of a rows x cols matrix, in parallel.
template <class Body>
void for_row_blocks(const ExecContext& ctx, std::size_t rows, std::size_t cols, Body&& body) {
  const std::size_t per_block = rows_per_block(cols);
  parallel_for(ctx.for_work(rows * cols, kMinElementsPerThread), task_count(rows, per_block), [&](std::size_t block) {
    const std::size_t r0 = block * per_block;
    body(block, r0, std::min(rows, r0 + per_block));
  });
}

// Asks the kernel to back a fresh, untouched output buffer with transparent huge pages (as NumPy
// does for its large arrays): first-touch page faults on 4 KB pages otherwise cost more than the
// transform that writes them (800 MB: ~200,000 faults). A hint only; ignored where unsupported.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

// Values a kernel refuses: infinities always (as scikit-learn does), NaN too unless allowed. Cheap
// enough to evaluate on every element of a streaming loop; the position is found afterwards.
template <bool kAllowNaN>
inline bool refused(double v) {
  if constexpr (kAllowNaN) return std::fabs(v) == std::numeric_limits<double>::infinity();
  else return !(std::fabs(v) <= std::numeric_limits<double>::max());
}

// Throws a RangeError naming the first refused value of x in row-major order (`X[row][col]`);
// returns when there is none (a kernel saw an overflow, not a refused input).
template <class T>
void reject_refused(const T* x, std::size_t rows, std::size_t cols, bool allow_nan, const ExecContext& ctx);

}  // namespace threadml::preprocess
