// readCsv(source: Uint8Array | fd, size, params, options) -> Promise<{data, rows, cols, header}>
// loadIdx(bytes: Uint8Array, name, output, scale, options) -> Promise<{data, shape, type}>
// The output size is known only inside the job (after a pass over the input), so the output is
// allocated there and handed to JS as an external ArrayBuffer: no copy, no JS-thread allocation.
#include <cmath>
#include <memory>

#include "binding/args.h"
#include "binding/job.h"
#include "io/csv.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/memory.h"

namespace threadml::binding {

namespace {

// The Job that holds this is destroyed on the JS thread, and so is a result's ArrayBuffer: both free
// through free_large, which keeps the unmapping of a large block off that thread.
class OwnedBuffer {
 public:
  OwnedBuffer() = default;
  OwnedBuffer(const OwnedBuffer&) = delete;
  OwnedBuffer& operator=(const OwnedBuffer&) = delete;
  ~OwnedBuffer() {
    if (data_ != nullptr) free_large(data_, bytes_);
  }

  void* allocate(std::size_t bytes) {
    bytes_ = bytes;
    if (bytes > 0) data_ = allocate_large(bytes);
    return data_;
  }

  // Hands the memory to a new ArrayBuffer, which frees it when the GC collects it.
  Napi::ArrayBuffer release(Napi::Env env) {
    if (data_ == nullptr) return Napi::ArrayBuffer::New(env, 0);
    Napi::ArrayBuffer buffer =
        Napi::ArrayBuffer::New(env, data_, bytes_, [bytes = bytes_](Napi::Env, void* p) { free_large(p, bytes); });
    data_ = nullptr;
    return buffer;
  }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

Napi::Value typed_array(Napi::Env env, napi_typedarray_type type, std::size_t length, OwnedBuffer& memory) {
  Napi::ArrayBuffer buffer = memory.release(env);
  napi_value out = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, length, buffer, 0, &out), Napi::Value());
  return Napi::Value(env, out);
}

struct Bytes {
  Napi::TypedArray value;
  const char* data = nullptr;
  std::size_t size = 0;
};

Bytes byte_array(const Napi::Value& value, const char* name) {
  Napi::Env env = value.Env();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, std::string("Expected a Uint8Array or Buffer for ") + name);
  Bytes bytes;
  bytes.value = value.As<Napi::TypedArray>();
  if (is_detached(bytes.value))
    throw Napi::TypeError::New(env, std::string("Expected an attached buffer for ") + name +
                                        " but received a detached ArrayBuffer");
  bytes.data = static_cast<const char*>(typed_array_data(bytes.value));
  bytes.size = bytes.value.ElementLength();
  return bytes;
}

// The slice [from, to) of the job's progress.
ExecContext span(const ExecContext& ctx, double from, double to) {
  ExecContext copy = ctx;
  copy.progress_offset = ctx.progress_offset + ctx.progress_scale * from;
  copy.progress_scale = ctx.progress_scale * (to - from);
  return copy;
}

std::string string_arg(const Napi::Value& value, const char* name) {
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), std::string("Expected a string for ") + name);
  return value.As<Napi::String>().Utf8Value();
}

CsvOptions csv_options(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw Napi::TypeError::New(env, "Expected an object for params");
  const Napi::Object params = value.As<Napi::Object>();
  CsvOptions options;
  const int delimiter = int_arg(params.Get("delimiter"), "delimiter", 1, 127);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    throw Napi::RangeError::New(env, "Expected a delimiter other than a quote or a line break");
  options.delimiter = static_cast<char>(delimiter);
  options.comment = int_arg(params.Get("comment"), "comment", -1, 127);
  options.header = params.Get("header").ToBoolean().Value();
  options.skip_rows = size_arg(params.Get("skipRows"), "skipRows");
  options.source = string_arg(params.Get("source"), "source");
  const Napi::Value columns = params.Get("columns");
  if (columns.IsArray()) {
    const Napi::Array list = columns.As<Napi::Array>();
    for (uint32_t k = 0; k < list.Length(); ++k) {
      const Napi::Value entry = list.Get(k);
      CsvColumn column;
      column.by_name = entry.IsString();
      if (column.by_name) column.name = entry.As<Napi::String>().Utf8Value();
      else column.index = size_arg(entry, "columns[k]");
      options.columns.push_back(std::move(column));
    }
  }
  return options;
}

struct CsvJob {
  CsvOptions options;
  bool float32 = false;
  const char* data = nullptr;
  std::size_t size = 0;
  int fd = -1;
  CsvLayout layout;
  OwnedBuffer out;
};

template <class T>
void parse_into(CsvJob& job, const ExecContext& ctx) {
  T* out = static_cast<T*>(job.out.allocate(job.layout.rows * job.layout.cols * sizeof(T)));
  parse_csv(job.layout, out, ctx);
}

Napi::Value ReadCsv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto job = std::make_shared<CsvJob>();
  std::vector<Napi::Value> pins;
  if (info[0].IsNumber()) {
    job->fd = int_arg(info[0], "fd", 0, 2147483647);
    job->size = size_arg(info[1], "size");
  } else {
    const Bytes bytes = byte_array(info[0], "source");
    job->data = bytes.data;
    job->size = bytes.size;
    pins.push_back(bytes.value);
  }
  job->options = csv_options(info[2]);
  job->float32 = info[2].As<Napi::Object>().Get("float32").ToBoolean().Value();
  // A file is always read on the pool, however small: a read can block.
  const double cost = job->fd >= 0 ? Job::kInlineCost : static_cast<double>(job->size);
  return Job::Start(
      env, JobOptions::parse(info[3]), pins, cost,
      [job](const ExecContext& ctx) {
        LargeBuffer<char> owned;
        double parsed_from = 0.0;
        if (job->fd >= 0) {
          owned = read_file(job->fd, job->size, job->options.source, span(ctx, 0.0, 0.1));
          job->data = owned.get();
          parsed_from = 0.1;
        }
        job->layout = plan_csv(job->data, job->size, job->options, span(ctx, parsed_from, parsed_from + 0.05));
        const ExecContext parse = span(ctx, parsed_from + 0.05, 1.0);
        if (job->float32) parse_into<float>(*job, parse);
        else parse_into<double>(*job, parse);
        job->layout.data = nullptr;  // `owned` goes now: the input is freed before the Promise settles
      },
      [job](Napi::Env e, const Job::Pins&) {
        const CsvLayout& layout = job->layout;
        Napi::Object result = Napi::Object::New(e);
        result.Set("data", typed_array(e, job->float32 ? napi_float32_array : napi_float64_array,
                                       layout.rows * layout.cols, job->out));
        result.Set("rows", static_cast<double>(layout.rows));
        result.Set("cols", static_cast<double>(layout.cols));
        Napi::Array names = Napi::Array::New(e, layout.names.size());
        for (std::size_t j = 0; j < layout.names.size(); ++j) names.Set(static_cast<uint32_t>(j), layout.names[j]);
        result.Set("header", names);
        return result;
      });
}

napi_typedarray_type idx_array_type(IdxType type, IdxOutput output) {
  switch (output) {
    case IdxOutput::Float32: return napi_float32_array;
    case IdxOutput::Float64: return napi_float64_array;
    case IdxOutput::Int32: return napi_int32_array;
    case IdxOutput::Native: break;
  }
  switch (type) {
    case IdxType::U8: return napi_uint8_array;
    case IdxType::I8: return napi_int8_array;
    case IdxType::I16: return napi_int16_array;
    case IdxType::I32: return napi_int32_array;
    case IdxType::F32: return napi_float32_array;
    case IdxType::F64: return napi_float64_array;
  }
  return napi_uint8_array;
}

struct IdxJob {
  IdxHeader header;
  OwnedBuffer out;
};

Napi::Value LoadIdx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bytes bytes = byte_array(info[0], "bytes");
  const std::string name = string_arg(info[1], "name");
  const IdxOutput output = static_cast<IdxOutput>(int_arg(info[2], "output", 0, 3));
  const double scale = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(scale)) throw Napi::RangeError::New(env, "Expected a finite number for scale");
  auto job = std::make_shared<IdxJob>();
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data);
  return Job::Start(
      env, JobOptions::parse(info[4]), {bytes.value}, static_cast<double>(bytes.size),
      [job, data, size = bytes.size, name, output, scale](const ExecContext& ctx) {
        job->header = parse_idx_header(data, size, name);
        const std::size_t value_size = idx_output_size(job->header, output, name);
        void* out = job->out.allocate(job->header.count * value_size);
        idx_convert(job->header, data, output, scale, out, ctx);
      },
      [job, output](Napi::Env e, const Job::Pins&) {
        const IdxHeader& header = job->header;
        Napi::Object result = Napi::Object::New(e);
        result.Set("data", typed_array(e, idx_array_type(header.type, output), header.count, job->out));
        Napi::Array shape = Napi::Array::New(e, header.shape.size());
        for (std::size_t d = 0; d < header.shape.size(); ++d)
          shape.Set(static_cast<uint32_t>(d), static_cast<double>(header.shape[d]));
        result.Set("shape", shape);
        result.Set("type", idx_type_name(header.type));
        return result;
      });
}

}  // namespace

void register_io(Napi::Env env, Napi::Object exports) {
  exports.Set("readCsv", Napi::Function::New(env, ReadCsv, "readCsv"));
  exports.Set("loadIdx", Napi::Function::New(env, LoadIdx, "loadIdx"));
}

}  // namespace threadml::binding
