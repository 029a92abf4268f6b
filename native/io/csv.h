// Numeric CSV into a row-major matrix, on native threads.
//
// The body is cut into fixed 256 KiB chunks moved forward to the next line start (boundaries depend on
// the bytes only). Pass 1 counts lines and rows per chunk in parallel; prefix sums give each chunk its
// first line number and output row; pass 2 parses the chunks in parallel straight into the output.
// A chunk stops at its first error; the error reported is the one of the earliest failing chunk, so
// it is the first in file order for any thread count.
//
// Supported: one-byte delimiter; LF or CRLF line ends, last line with or without one; a UTF-8 BOM;
// blank lines (only spaces, tabs and CR) and lines starting with the comment byte are skipped;
// spaces and tabs around a value are ignored; a value may be quoted ("1.5", with "" inside quotes
// standing for one quote in header names); an empty field is NaN; nan, inf and infinity in any case,
// with a sign; a leading '+'; values beyond the type's range become +-inf or 0 (like strtod).
// Not supported: line breaks inside quoted fields, CR-only line ends, runs of spaces as one delimiter.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/parallel.h"

namespace threadml {

// A selected column: by 0-based index in the file, or by header name.
struct CsvColumn {
  bool by_name = false;
  std::size_t index = 0;
  std::string name;
};

struct CsvOptions {
  char delimiter = ',';
  int comment = -1;  // a byte value, or -1 for none
  bool header = false;
  std::size_t skip_rows = 0;            // lines skipped before anything else (header included)
  std::vector<CsvColumn> columns;       // empty: every column, in file order
  std::string source = "the CSV input";  // how errors name the input
};

struct CsvChunk {
  std::size_t begin = 0;  // byte offsets into the input; begin == end for a chunk inside a long line
  std::size_t end = 0;
  std::size_t lines = 0;  // line breaks in [begin, end)
  std::size_t rows = 0;   // data rows in [begin, end)
  std::size_t first_line = 0;
  std::size_t first_row = 0;
};

// Everything pass 2 needs, found by plan_csv.
struct CsvLayout {
  const char* data = nullptr;
  CsvOptions options;
  std::vector<std::string> header;     // every name in the header line (empty without a header)
  std::vector<std::string> names;      // header names of the output columns (empty without a header)
  std::size_t fields = 0;              // fields per line, from the header or the first data row
  std::size_t reference_line = 0;      // the line that set `fields`
  std::vector<int32_t> output_column;  // per field: its output column, or -1 when not selected
  std::size_t cols = 0;
  std::size_t rows = 0;
  std::vector<CsvChunk> chunks;
};

// Reads the header, counts fields and rows, and resolves `columns`. Column errors are RangeErrors.
CsvLayout plan_csv(const char* data, std::size_t size, const CsvOptions& options, const ExecContext& ctx);

// Parses every data row into out (layout.rows x layout.cols, row-major). A malformed value or a
// line with the wrong number of fields is a RangeError naming its 1-based line and column.
template <class T>
void parse_csv(const CsvLayout& layout, T* out, const ExecContext& ctx);

}  // namespace threadml
