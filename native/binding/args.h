// Cheap re-checks of what lib/ already validated: the C++ side must stay safe whatever JS passes.
#pragma once
#include <napi.h>

#include <cstddef>
#include <limits>
#include <string>

namespace threadml::binding {

// The first element of a typed array, also when it views a SharedArrayBuffer (which
// Napi::ArrayBuffer cannot represent). A detached buffer yields nullptr.
inline void* typed_array_data(const Napi::TypedArray& array) {
  void* data = nullptr;
  napi_status status = napi_get_typedarray_info(array.Env(), array, nullptr, nullptr, &data, nullptr, nullptr);
  if (status != napi_ok) throw Napi::Error::New(array.Env(), "Cannot read the typed array's memory");
  return data;
}

inline bool is_detached(const Napi::TypedArray& array) {
  napi_value buffer = nullptr;
  bool detached = false;
  napi_get_typedarray_info(array.Env(), array, nullptr, nullptr, nullptr, &buffer, nullptr);
  // napi_is_detached_arraybuffer answers false for a SharedArrayBuffer, which cannot be detached.
  return buffer != nullptr && napi_is_detached_arraybuffer(array.Env(), buffer, &detached) == napi_ok && detached;
}

struct FloatArray {
  Napi::TypedArray value;
  bool is_float32 = false;
  void* data = nullptr;
  std::size_t length = 0;
};

inline FloatArray float_array(const Napi::Value& value, const char* name) {
  Napi::Env env = value.Env();
  if (!value.IsTypedArray())
    throw Napi::TypeError::New(env, std::string("Expected a Float64Array or Float32Array for ") + name);
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  const napi_typedarray_type type = array.TypedArrayType();
  if (type != napi_float64_array && type != napi_float32_array)
    throw Napi::TypeError::New(env, std::string("Expected a Float64Array or Float32Array for ") + name);
  if (is_detached(array))
    throw Napi::TypeError::New(env, std::string("Expected an attached buffer for ") + name +
                                        " but received a detached ArrayBuffer");
  FloatArray out;
  out.value = array;
  out.is_float32 = type == napi_float32_array;
  out.data = typed_array_data(array);
  out.length = array.ElementLength();
  return out;
}

inline std::size_t element_size(const FloatArray& a) { return a.is_float32 ? sizeof(float) : sizeof(double); }

inline std::size_t size_arg(const Napi::Value& value, const char* name) {
  const double v = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1.0;
  if (!(v >= 0.0 && v <= 9007199254740991.0) || v != static_cast<double>(static_cast<long long>(v)))
    throw Napi::RangeError::New(value.Env(), std::string("Expected a non-negative integer for ") + name);
  return static_cast<std::size_t>(v);
}

// A numeric field of a params object, in [lo, hi] (NaN and non-numbers fail the range check).
inline double number_field(const Napi::Object& params, const char* key, double lo, double hi) {
  const Napi::Value v = params.Get(key);
  const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : std::numeric_limits<double>::quiet_NaN();
  if (!(x >= lo && x <= hi))
    throw Napi::RangeError::New(params.Env(), std::string("Expected a number from ") + std::to_string(lo) + " to " +
                                                  std::to_string(hi) + " for params." + key);
  return x;
}

// X, rows, cols as info[0..2]: a float typed array whose length is rows x cols, both >= 1 and small
// enough for BLAS's int dimensions.
struct MatrixInputs {
  FloatArray x;
  std::size_t n = 0, d = 0;
};

inline MatrixInputs matrix_inputs(const Napi::CallbackInfo& info) {
  constexpr std::size_t kMaxDim = 2147483647;
  MatrixInputs in;
  in.x = float_array(info[0], "X");
  in.n = size_arg(info[1], "X.rows");
  in.d = size_arg(info[2], "X.cols");
  if (in.n == 0 || in.d == 0 || in.n > kMaxDim || in.d > kMaxDim || in.n > in.x.length / in.d || in.n * in.d != in.x.length)
    throw Napi::RangeError::New(info.Env(), "Expected X of shape rows x cols matching its data (length " +
                                                std::to_string(in.x.length) + ") but received " + std::to_string(in.n) +
                                                " x " + std::to_string(in.d));
  return in;
}

inline int int_arg(const Napi::Value& value, const char* name, int lo, int hi) {
  const double v = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : lo - 1.0;
  if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<int>(v)))
    throw Napi::RangeError::New(value.Env(), std::string("Expected an integer from ") + std::to_string(lo) + " to " +
                                                 std::to_string(hi) + " for " + name);
  return static_cast<int>(v);
}

}  // namespace threadml::binding
