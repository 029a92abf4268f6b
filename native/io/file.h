// Whole-file reads on the calling (worker) thread, so a large file never blocks the JS thread.
#pragma once
#include <cstddef>
#include <string>

#include "core/parallel.h"
#include "io/memory.h"

namespace threadml {

// Reads the `size` bytes of an open regular file (from offset 0) in parallel blocks. A file that is
// shorter or longer than `size` by the time it is read is a RangeError naming `name`; an I/O error
// is an Error with the system's message.
LargeBuffer<char> read_file(int fd, std::size_t size, const std::string& name, const ExecContext& ctx);

}  // namespace threadml
