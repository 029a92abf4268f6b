// Large buffers for loaders (the input read from a file, the output matrix) and for results.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <memory>

namespace threadml {

// Allocates `bytes` (not zeroed), 2 MiB-aligned and, on Linux, marked for transparent huge pages:
// first writes to a fresh 800 MB array then fault 400 huge pages instead of 200,000 small ones,
// which makes a CSV parse 15-20% faster. Throws std::bad_alloc; release with free_large.
void* allocate_large(std::size_t bytes);

// Frees memory from allocate_large. Unmapping 800 MB of small pages takes ~60 ms, too long for the
// JS thread (where a GC finalizer releases a result), so large blocks are freed on a short-lived thread.
void free_large(void* p, std::size_t bytes) noexcept;

// Memory for result arrays that JS receives and its GC frees (external ArrayBuffers). Freed blocks
// are kept for calls that ask for the same size again, up to 64 MB and 1024 blocks in all (V8
// collects dead external memory about every 64 MB): a fresh block's pages fault in on first write,
// 4 KB at a time, and on a VM that can cost 10 us a page (measured: 1.4 ms for a 256 x 256 float64
// product's result, several times the product itself). Measured from JS, 88-95% of the results of
// 256 x 256 and 512 x 512 products reuse a block. Not zeroed; throws std::bad_alloc. Safe from any
// thread.
void* take_block(std::size_t bytes);
void give_block(void* p, std::size_t bytes) noexcept;

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

template <class T>
using LargeBuffer = std::unique_ptr<T[], FreeDeleter>;

}  // namespace threadml
