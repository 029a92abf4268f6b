#include "io/file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/status.h"

namespace threadml {

namespace {

constexpr std::size_t kBlockBytes = std::size_t{8} << 20;

// pread until `size` bytes arrived or the file ended; returns the count read.
std::size_t read_at(int fd, char* out, std::size_t size, std::size_t offset, const std::string& name) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::Internal, "Cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

[[noreturn]] void changed(std::size_t size, const std::string& name) {
  throw_range("Expected " + std::to_string(size) + " bytes (its size when opened) for " + name +
              " but it changed while being read");
}

}  // namespace

LargeBuffer<char> read_file(int fd, std::size_t size, const std::string& name, const ExecContext& ctx) {
  LargeBuffer<char> bytes(static_cast<char*>(allocate_large(size)));
  parallel_for(ctx.for_work(size, kBlockBytes), task_count(size, kBlockBytes), [&](std::size_t block) {
    const std::size_t offset = block * kBlockBytes;
    const std::size_t length = std::min(kBlockBytes, size - offset);
    if (read_at(fd, bytes.get() + offset, length, offset, name) != length) changed(size, name);
  });
  char probe;
  if (read_at(fd, &probe, 1, size, name) != 0) changed(size, name);
  return bytes;
}

}  // namespace threadml
