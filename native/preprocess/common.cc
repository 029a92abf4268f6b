#include "preprocess/common.h"

#include <cstdint>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/status.h"

namespace threadml::preprocess {

namespace {
// The spelling JS uses, so the message reads like the TypeScript checks in front of the addon.
std::string js_number(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}
}  // namespace

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{1} << 21;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

template <class T>
void reject_refused(const T* x, std::size_t rows, std::size_t cols, bool allow_nan, const ExecContext& ctx) {
  ExecContext quiet = ctx;
  quiet.progress = nullptr;  // the failed kernel's progress has been reported already
  std::vector<std::int64_t> first(row_block_count(rows, cols), -1);
  for_row_blocks(quiet, rows, cols, [&](std::size_t block, std::size_t r0, std::size_t r1) {
    for (std::size_t i = r0 * cols; i < r1 * cols; ++i) {
      const double v = static_cast<double>(x[i]);
      if (allow_nan ? refused<true>(v) : refused<false>(v)) {
        first[block] = static_cast<std::int64_t>(i);
        return;
      }
    }
  });
  for (const std::int64_t i : first) {
    if (i < 0) continue;
    const std::size_t at = static_cast<std::size_t>(i);
    throw_range(std::string("Expected a finite number") + (allow_nan ? " or NaN" : "") + " for X[" +
                std::to_string(at / cols) + "][" + std::to_string(at % cols) + "] but received " +
                js_number(static_cast<double>(x[at])));
  }
}

template void reject_refused<double>(const double*, std::size_t, std::size_t, bool, const ExecContext&);
template void reject_refused<float>(const float*, std::size_t, std::size_t, bool, const ExecContext&);

}  // namespace threadml::preprocess
