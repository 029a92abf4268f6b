// hashBytes(view, seed, options): Promise<string>, the 16-hex-digit hash of any typed array's or
// DataView's bytes (kernels/hash.h). Cheap inputs are hashed at once on the JS thread.
#include <cstdio>
#include <memory>

#include "binding/args.h"
#include "binding/job.h"
#include "kernels/hash.h"

namespace threadml::binding {

namespace {

Napi::Value HashBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() && !info[0].IsDataView())
    throw Napi::TypeError::New(env, "Expected a typed array or DataView for view");
  const Napi::Value view = info[0];
  void* data = nullptr;
  std::size_t length = 0;
  if (view.IsDataView()) {
    const Napi::DataView dv = view.As<Napi::DataView>();
    data = static_cast<unsigned char*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    length = dv.ByteLength();
  } else {
    const Napi::TypedArray array = view.As<Napi::TypedArray>();
    if (is_detached(array)) throw Napi::TypeError::New(env, "Expected an attached buffer for view but received a detached ArrayBuffer");
    data = typed_array_data(array);
    length = array.ByteLength();
  }
  const uint64_t seed = static_cast<uint64_t>(size_arg(info[1], "seed"));
  auto result = std::make_shared<uint64_t>(0);
  return Job::Start(
      env, JobOptions::parse(info[2]), {view}, static_cast<double>(length),
      [data, length, seed, result](const ExecContext& ctx) { *result = hash_bytes(data, length, seed, ctx); },
      [result](Napi::Env e, const Job::Pins&) {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(*result));
        return Napi::String::New(e, hex);
      });
}

}  // namespace

void register_hash(Napi::Env env, Napi::Object exports) {
  exports.Set("hashBytes", Napi::Function::New(env, HashBytes, "hashBytes"));
}

}  // namespace threadml::binding
