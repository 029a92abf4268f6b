// IDX files (the MNIST / Fashion-MNIST format): a 4-byte magic (0, 0, type, dimension count),
// big-endian uint32 dimensions, then the values big-endian in row-major order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/parallel.h"

namespace threadml {

// The type byte of the magic number.
enum class IdxType : uint8_t { U8 = 0x08, I8 = 0x09, I16 = 0x0B, I32 = 0x0C, F32 = 0x0D, F64 = 0x0E };

// What the values become. Values shared with lib/io/idx.ts.
enum class IdxOutput : int32_t { Native = 0, Float32 = 1, Float64 = 2, Int32 = 3 };

struct IdxHeader {
  IdxType type = IdxType::U8;
  std::vector<std::size_t> shape;
  std::size_t header_bytes = 0;
  std::size_t count = 0;  // product of the dimensions
};

std::size_t idx_type_size(IdxType type);
bool idx_type_is_float(IdxType type);
const char* idx_type_name(IdxType type);  // "ubyte", "byte", "short", "int", "float", "double"

// Parses and checks the header against the buffer: the size must be exactly header + count values.
// A bad magic, an unknown type, a truncated or over-long file is a RangeError naming `name`.
IdxHeader parse_idx_header(const uint8_t* bytes, std::size_t size, const std::string& name);

// Element size of the output array for `output` (Native: the file's own type). Int32 output of a
// float file is a RangeError naming `name`.
std::size_t idx_output_size(const IdxHeader& header, IdxOutput output, const std::string& name);

// Converts the values after the header to native byte order and the output type, in parallel.
// Float outputs are value * scale (computed in double, then rounded once); Int32 widens integers.
void idx_convert(const IdxHeader& header, const uint8_t* bytes, IdxOutput output, double scale, void* out,
                 const ExecContext& ctx);

}  // namespace threadml
