#include "io/csv.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <limits>
#include <mutex>
#include <system_error>

#include "core/status.h"

namespace threadml {

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr std::size_t kNoStart = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kMaxQuotedText = 40;

// The first c in [p, end), or end.
const char* find_byte(const char* p, const char* end, char c) {
  if (p >= end) return end;
  const void* hit = std::memchr(p, c, static_cast<std::size_t>(end - p));
  return hit == nullptr ? end : static_cast<const char*>(hit);
}

// The byte-level rules every pass applies identically (pass 1 and pass 2 must agree on what a row is).
struct Syntax {
  char delimiter;
  int comment;

  bool is_space(char c) const { return (c == ' ' || c == '\t') && c != delimiter; }

  const char* skip_spaces(const char* p, const char* end) const {
    while (p < end && is_space(*p)) ++p;
    return p;
  }

  // Blank (only spaces, tabs and CR) or a comment: not a data row.
  bool skipped(const char* p, const char* end) const {
    if (p < end && static_cast<unsigned char>(*p) == comment) return true;
    for (; p < end; ++p)
      if (!is_space(*p) && *p != '\r') return false;
    return true;
  }

  // The end of a field starting at p: its delimiter, or the line end. A quoted part may hold delimiters.
  const char* field_end(const char* p, const char* end) const {
    p = skip_spaces(p, end);
    if (p < end && *p == '"') {
      for (++p; p < end; ++p) {
        if (*p != '"') continue;
        if (p + 1 < end && p[1] == '"') {
          ++p;  // "" stands for one quote
          continue;
        }
        ++p;  // past the closing quote
        break;
      }
    }
    return find_byte(p, end, delimiter);
  }

  std::size_t count_fields(const char* p, const char* end) const {
    std::size_t fields = 1;
    for (p = field_end(p, end); p < end; p = field_end(p + 1, end)) ++fields;
    return fields;
  }
};

// The '\n' ending the line that starts at p (or end); content_end drops a CR before it; next_line is
// where the following line starts.
const char* line_end(const char* p, const char* end) { return find_byte(p, end, '\n'); }

const char* content_end(const char* p, const char* eol) { return eol > p && eol[-1] == '\r' ? eol - 1 : eol; }

const char* next_line(const char* eol, const char* end) { return eol < end ? eol + 1 : end; }

// The field as it stands in the file, quoted and cut short, for error messages.
std::string quoted(const char* p, const char* end) {
  const std::size_t length = static_cast<std::size_t>(end - p);
  std::string text = "\"";
  for (const char* q = p; q < p + std::min(length, kMaxQuotedText); ++q) {
    if (*q == '"' || *q == '\\') text += '\\';
    text += static_cast<unsigned char>(*q) < 0x20 ? '?' : *q;
  }
  return text + (length > kMaxQuotedText ? "…\"" : "\"");
}

std::vector<std::string> split_header(const char* p, const char* end, const Syntax& syntax) {
  std::vector<std::string> names;
  for (;;) {
    const char* stop = syntax.field_end(p, end);
    const char* a = syntax.skip_spaces(p, stop);
    const char* b = stop;
    while (b > a && syntax.is_space(b[-1])) --b;
    std::string name;
    if (b - a >= 2 && *a == '"' && b[-1] == '"') {
      for (const char* q = a + 1; q < b - 1; ++q) {
        name += *q;
        if (*q == '"' && q + 1 < b - 1 && q[1] == '"') ++q;
      }
    } else {
      name.assign(a, b);
    }
    names.push_back(std::move(name));
    if (stop == end) return names;
    p = stop + 1;
  }
}

// from_chars leaves the value unset when it is out of range. Like strtod, give +-inf on overflow and
// +-0 on underflow; the decimal exponent of the first significant digit tells which.
template <class T>
T out_of_range_value(const char* p, const char* end) {
  const bool negative = *p == '-';
  if (negative) ++p;
  long position = 0;  // value = 0.d1d2... x 10^position, d1 the first nonzero digit
  bool significant = false;
  bool after_point = false;
  for (; p < end && *p != 'e' && *p != 'E'; ++p) {
    if (*p == '.') {
      after_point = true;
    } else if (significant || *p != '0') {
      significant = true;
      if (!after_point) ++position;
    } else if (after_point) {
      --position;
    }
  }
  long exponent = 0;
  if (p < end) {
    ++p;
    const bool negative_exponent = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) ++p;
    for (; p < end && exponent < 1000000000L; ++p) exponent = exponent * 10 + (*p - '0');
    if (negative_exponent) exponent = -exponent;
  }
  const T magnitude = position + exponent > 0 ? std::numeric_limits<T>::infinity() : T(0);
  return negative ? -magnitude : magnitude;
}

// Parses optional spaces, a number (or nothing: NaN) and optional spaces from p. Returns where it
// stopped, or nullptr when no number starts there.
template <class T>
const char* parse_value(const char* p, const char* end, const Syntax& syntax, T& value) {
  p = syntax.skip_spaces(p, end);
  if (p == end || *p == syntax.delimiter) {
    value = std::numeric_limits<T>::quiet_NaN();
    return p;
  }
  if (*p == '+') {
    ++p;
    if (p == end || *p == '-' || *p == '+') return nullptr;
  }
  const auto [stop, ec] = std::from_chars(p, end, value);
  if (ec == std::errc::invalid_argument) return nullptr;
  if (ec == std::errc::result_out_of_range) value = out_of_range_value<T>(p, stop);
  return syntax.skip_spaces(stop, end);
}

// Parses the field at p into value; returns the field's end (its delimiter or `end`), or nullptr
// when the field is not a number.
template <class T>
const char* parse_field(const char* p, const char* end, const Syntax& syntax, T& value) {
  const char* start = syntax.skip_spaces(p, end);
  if (start < end && *start == '"') {
    const char* closing = find_byte(start + 1, end, '"');
    if (closing == end) return nullptr;
    if (parse_value(start + 1, closing, syntax, value) != closing) return nullptr;
    const char* after = syntax.skip_spaces(closing + 1, end);
    return after == end || *after == syntax.delimiter ? after : nullptr;
  }
  const char* stop = parse_value(start, end, syntax, value);
  return stop != nullptr && (stop == end || *stop == syntax.delimiter) ? stop : nullptr;
}

template <class T>
class ChunkParser {
 public:
  ChunkParser(const CsvLayout& layout, T* out)
      : layout_(layout), syntax_{layout.options.delimiter, layout.options.comment}, out_(out) {}

  // Parses one chunk; on the first bad line returns false with the message in `error`.
  bool parse(const CsvChunk& chunk, std::string& error) const {
    const char* const data = layout_.data;
    const char* const end = data + chunk.end;
    std::size_t line = chunk.first_line;
    T* row = out_ + chunk.first_row * layout_.cols;
    for (const char* p = data + chunk.begin; p < end; ++line) {
      const char* eol = line_end(p, end);
      if (!syntax_.skipped(p, eol)) {
        if (!parse_line(p, content_end(p, eol), row, line, error)) return false;
        row += layout_.cols;
      }
      p = next_line(eol, end);
    }
    return true;
  }

 private:
  bool parse_line(const char* p, const char* end, T* row, std::size_t line, std::string& error) const {
    const std::size_t fields = layout_.fields;
    std::size_t field = 0;
    for (;; ++field) {
      if (field == fields) {
        error = field_count_error(line, fields + syntax_.count_fields(p, end));
        return false;
      }
      const int32_t column = layout_.output_column[field];
      const char* stop = column < 0 ? syntax_.field_end(p, end) : parse_field(p, end, syntax_, row[column]);
      if (stop == nullptr) {
        error = value_error(line, field, syntax_.skip_spaces(p, end), syntax_.field_end(p, end));
        return false;
      }
      if (stop == end) break;
      p = stop + 1;
    }
    if (field + 1 != fields) {
      error = field_count_error(line, field + 1);
      return false;
    }
    return true;
  }

  std::string value_error(std::size_t line, std::size_t field, const char* p, const char* stop) const {
    std::string message = "Expected a number for line " + std::to_string(line) + ", column " +
                          std::to_string(field + 1) + " of " + layout_.options.source + " but received " +
                          quoted(p, stop);
    if (!layout_.options.header && line == layout_.reference_line)
      message += " (pass header: true if line " + std::to_string(line) + " is a header)";
    return message;
  }

  std::string field_count_error(std::size_t line, std::size_t found) const {
    return "Expected " + std::to_string(layout_.fields) + " fields (as on line " +
           std::to_string(layout_.reference_line) + ") for line " + std::to_string(line) + " of " +
           layout_.options.source + " but received " + std::to_string(found);
  }

  const CsvLayout& layout_;
  Syntax syntax_;
  T* out_;
};

// Splits the body [begin, size) into chunks that start at line starts (see csv.h).
std::vector<CsvChunk> make_chunks(const char* data, std::size_t begin, std::size_t size, const ExecContext& ctx) {
  const std::size_t n = task_count(size - begin, kChunkBytes);
  std::vector<std::size_t> starts(n, kNoStart);
  // A chunk inside a line longer than itself finds no line start: it stays empty, and the search
  // never leaves its own bytes, so a huge line costs one scan in total.
  parallel_for(ctx, n, [&](std::size_t i) {
    const std::size_t nominal = begin + i * kChunkBytes;
    if (i == 0 || data[nominal - 1] == '\n') {
      starts[i] = nominal;
      return;
    }
    const char* limit = data + std::min(size, nominal + kChunkBytes);
    const char* hit = line_end(data + nominal, limit);
    if (hit < limit) starts[i] = static_cast<std::size_t>(hit - data) + 1;
  });
  std::vector<CsvChunk> chunks(n);
  std::size_t next = size;
  for (std::size_t i = n; i-- > 0;) {
    chunks[i].begin = starts[i] == kNoStart ? next : starts[i];
    chunks[i].end = next;
    next = chunks[i].begin;
  }
  return chunks;
}

void count_rows(const char* data, std::vector<CsvChunk>& chunks, const Syntax& syntax, const ExecContext& ctx) {
  parallel_for(ctx, chunks.size(), [&](std::size_t i) {
    CsvChunk& chunk = chunks[i];
    const char* const end = data + chunk.end;
    for (const char* p = data + chunk.begin; p < end;) {
      const char* eol = line_end(p, end);
      if (!syntax.skipped(p, eol)) ++chunk.rows;
      if (eol < end) ++chunk.lines;
      p = next_line(eol, end);
    }
  });
}

void resolve_columns(CsvLayout& layout) {
  const CsvOptions& options = layout.options;
  layout.output_column.assign(layout.fields, -1);
  if (options.columns.empty()) {
    for (std::size_t j = 0; j < layout.fields; ++j) layout.output_column[j] = static_cast<int32_t>(j);
    layout.cols = layout.fields;
    layout.names = layout.header;
    return;
  }
  layout.cols = options.columns.size();
  if (layout.fields == 0 && !options.header) return;  // no line at all: nothing to check against
  for (std::size_t k = 0; k < options.columns.size(); ++k) {
    const CsvColumn& column = options.columns[k];
    const std::string name = "columns[" + std::to_string(k) + "]";
    std::size_t j = column.index;
    if (column.by_name) {
      if (!options.header)
        throw_range("Expected header: true to select columns by name for " + name + " but received \"" +
                    column.name + "\"");
      j = static_cast<std::size_t>(std::find(layout.header.begin(), layout.header.end(), column.name) -
                                   layout.header.begin());
      if (j == layout.fields)
        throw_range("Expected a name from the header of " + options.source + " for " + name + " but received \"" +
                    column.name + "\"");
    } else if (j >= layout.fields) {
      throw_range("Expected a column index below " + std::to_string(layout.fields) + " (the fields on line " +
                  std::to_string(layout.reference_line) + " of " + options.source + ") for " + name +
                  " but received " + std::to_string(j));
    }
    if (layout.output_column[j] >= 0)
      throw_range("Expected distinct columns for " + name + " but received column " + std::to_string(j) +
                  " again (columns[" + std::to_string(layout.output_column[j]) + "])");
    layout.output_column[j] = static_cast<int32_t>(k);
    if (options.header) layout.names.push_back(layout.header[j]);
  }
}

}  // namespace

CsvLayout plan_csv(const char* data, std::size_t size, const CsvOptions& options, const ExecContext& ctx) {
  CsvLayout layout;
  layout.data = data;
  layout.options = options;
  const Syntax syntax{options.delimiter, options.comment};
  const char* const end = data + size;
  const char* p = data;
  if (size >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
  std::size_t line = 1;
  for (std::size_t i = 0; i < options.skip_rows && p < end; ++i, ++line) p = next_line(line_end(p, end), end);
  // The header is the first line that is not skipped; without one, the first data row sets the width.
  const char* first = p;
  std::size_t first_line = line;
  for (; first < end && syntax.skipped(first, line_end(first, end)); ++first_line)
    first = next_line(line_end(first, end), end);
  if (first < end) {
    const char* content = content_end(first, line_end(first, end));
    layout.reference_line = first_line;
    if (options.header) {
      layout.header = split_header(first, content, syntax);
      layout.fields = layout.header.size();
      p = next_line(line_end(first, end), end);
      line = first_line + 1;
    } else {
      layout.fields = syntax.count_fields(first, content);
    }
  }
  resolve_columns(layout);

  const std::size_t body = static_cast<std::size_t>(p - data);
  if (body == size) return layout;
  const ExecContext work = ctx.for_work(size - body, 2 * kChunkBytes);
  layout.chunks = make_chunks(data, body, size, work);
  count_rows(data, layout.chunks, syntax, work);
  for (CsvChunk& chunk : layout.chunks) {
    chunk.first_line = line;
    chunk.first_row = layout.rows;
    line += chunk.lines;
    layout.rows += chunk.rows;
  }
  return layout;
}

template <class T>
void parse_csv(const CsvLayout& layout, T* out, const ExecContext& ctx) {
  if (layout.rows == 0) return;
  const ChunkParser<T> parser(layout, out);
  std::atomic<std::size_t> first_bad{kNoStart};
  std::mutex error_mutex;
  std::string error;
  const std::size_t body = layout.chunks.front().begin;
  const ExecContext work = ctx.for_work(layout.chunks.back().end - body, 2 * kChunkBytes);
  parallel_for(work, layout.chunks.size(), [&](std::size_t i) {
    if (i > first_bad.load(std::memory_order_relaxed)) return;  // an earlier chunk already failed
    std::string message;
    if (parser.parse(layout.chunks[i], message)) return;
    std::lock_guard<std::mutex> lock(error_mutex);
    if (i < first_bad.load(std::memory_order_relaxed)) {
      first_bad.store(i, std::memory_order_relaxed);
      error = std::move(message);
    }
  });
  if (first_bad.load() != kNoStart) throw_range(error);
}

template void parse_csv<double>(const CsvLayout&, double*, const ExecContext&);
template void parse_csv<float>(const CsvLayout&, float*, const ExecContext&);

}  // namespace threadml
