#include "io/idx.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <type_traits>

#include "core/status.h"

namespace threadml {

namespace {

bool known_type(uint8_t code) {
  switch (static_cast<IdxType>(code)) {
    case IdxType::U8:
    case IdxType::I8:
    case IdxType::I16:
    case IdxType::I32:
    case IdxType::F32:
    case IdxType::F64: return true;
  }
  return false;
}

// Calls f with a value of the C++ type that `type` stores.
template <class F>
void visit_idx_type(IdxType type, F&& f) {
  switch (type) {
    case IdxType::U8: return f(uint8_t{});
    case IdxType::I8: return f(int8_t{});
    case IdxType::I16: return f(int16_t{});
    case IdxType::I32: return f(int32_t{});
    case IdxType::F32: return f(float{});
    case IdxType::F64: return f(double{});
  }
}

template <std::size_t N>
using UnsignedOfSize = std::conditional_t<
    N == 1, uint8_t, std::conditional_t<N == 2, uint16_t, std::conditional_t<N == 4, uint32_t, uint64_t>>>;

// Assembling the bytes (rather than swapping) is right on any host; compilers emit one bswap load.
template <class S>
S load_big_endian(const uint8_t* p) {
  using U = UnsignedOfSize<sizeof(S)>;
  U u = 0;
  for (std::size_t k = 0; k < sizeof(S); ++k) u = static_cast<U>((static_cast<uint64_t>(u) << 8) | p[k]);
  return std::bit_cast<S>(u);
}

template <class S, class D>
void convert(const uint8_t* src, D* out, std::size_t n, double scale, const ExecContext& ctx) {
  constexpr std::size_t grain = std::size_t{1} << 16;
  parallel_for(ctx.for_work(n, 4 * grain), task_count(n, grain), [&](std::size_t task) {
    const std::size_t end = std::min(n, (task + 1) * grain);
    for (std::size_t i = task * grain; i < end; ++i) {
      const S v = load_big_endian<S>(src + i * sizeof(S));
      if constexpr (std::is_floating_point_v<D>)
        out[i] = static_cast<D>(static_cast<double>(v) * scale);
      else
        out[i] = static_cast<D>(v);
    }
  });
}

std::string hex_bytes(const uint8_t* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::size_t idx_type_size(IdxType type) {
  std::size_t size = 0;
  visit_idx_type(type, [&](auto v) { size = sizeof(v); });
  return size;
}

bool idx_type_is_float(IdxType type) { return type == IdxType::F32 || type == IdxType::F64; }

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::U8: return "ubyte";
    case IdxType::I8: return "byte";
    case IdxType::I16: return "short";
    case IdxType::I32: return "int";
    case IdxType::F32: return "float";
    case IdxType::F64: return "double";
  }
  return "unknown";
}

IdxHeader parse_idx_header(const uint8_t* bytes, std::size_t size, const std::string& name) {
  if (size < 4)
    throw_range("Expected at least 4 bytes (the magic number) for " + name + " but received " + std::to_string(size) +
                " bytes");
  if (bytes[0] != 0 || bytes[1] != 0 || !known_type(bytes[2]) || bytes[3] == 0)
    throw_range("Expected an IDX magic number (00 00, a type byte 08/09/0B/0C/0D/0E, a dimension count >= 1) for " +
                name + " but received " + hex_bytes(bytes, 4));
  IdxHeader header;
  header.type = static_cast<IdxType>(bytes[2]);
  const std::size_t dims = bytes[3];
  header.header_bytes = 4 + 4 * dims;
  if (size < header.header_bytes)
    throw_range("Expected at least " + std::to_string(header.header_bytes) + " bytes (the header of " +
                std::to_string(dims) + " dimensions) for " + name + " but received " + std::to_string(size) + " bytes");
  const std::size_t value_size = idx_type_size(header.type);
  std::string shape_text;
  std::size_t count = 1;
  bool overflow = false;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::size_t extent = load_big_endian<uint32_t>(bytes + 4 + 4 * d);
    header.shape.push_back(extent);
    shape_text += (d == 0 ? "" : " x ") + std::to_string(extent);
    overflow = overflow || __builtin_mul_overflow(count, extent, &count);
  }
  std::size_t data_bytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, value_size, &data_bytes) ||
             data_bytes > std::numeric_limits<std::size_t>::max() - header.header_bytes;
  if (overflow || header.header_bytes + data_bytes != size) {
    const std::string expected = overflow ? "more than 2^64" : std::to_string(header.header_bytes + data_bytes);
    throw_range("Expected " + expected + " bytes (" + std::to_string(header.header_bytes) + " header bytes and " +
                shape_text + " " + idx_type_name(header.type) + " values) for " + name + " but received " +
                std::to_string(size) + " bytes");
  }
  header.count = count;
  return header;
}

std::size_t idx_output_size(const IdxHeader& header, IdxOutput output, const std::string& name) {
  switch (output) {
    case IdxOutput::Native: return idx_type_size(header.type);
    case IdxOutput::Float32: return sizeof(float);
    case IdxOutput::Float64: return sizeof(double);
    case IdxOutput::Int32:
      if (idx_type_is_float(header.type))
        throw_range(std::string("Expected dtype \"float32\" or \"float64\" for ") + name + " (of " +
                    idx_type_name(header.type) + " values) but received \"int32\"");
      return sizeof(int32_t);
  }
  throw_range("Expected an IDX output code from 0 to 3 for output");
}

void idx_convert(const IdxHeader& header, const uint8_t* bytes, IdxOutput output, double scale, void* out,
                 const ExecContext& ctx) {
  const uint8_t* src = bytes + header.header_bytes;
  visit_idx_type(header.type, [&](auto value) {
    using S = decltype(value);
    switch (output) {
      case IdxOutput::Native: return convert<S>(src, static_cast<S*>(out), header.count, scale, ctx);
      case IdxOutput::Float32: return convert<S>(src, static_cast<float*>(out), header.count, scale, ctx);
      case IdxOutput::Float64: return convert<S>(src, static_cast<double*>(out), header.count, scale, ctx);
      case IdxOutput::Int32: return convert<S>(src, static_cast<int32_t*>(out), header.count, scale, ctx);
    }
  });
}

}  // namespace threadml
