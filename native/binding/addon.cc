// Module init: context-aware (loads in worker_threads and several environments at once).
#include <cblas.h>
#include <napi.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "binding/args.h"
#include "binding/job.h"
#include "core/parallel.h"
#include "kernels/reduce.h"

namespace threadml::binding {

void register_reduce(Napi::Env env, Napi::Object exports);
void register_linalg(Napi::Env env, Napi::Object exports);
void register_linear(Napi::Env env, Napi::Object exports);
void register_io(Napi::Env env, Napi::Object exports);
void register_preprocess(Napi::Env env, Napi::Object exports);
void register_tree(Napi::Env env, Napi::Object exports);
void register_hash(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);

namespace {

std::string word(const std::string& text, int index) {
  std::istringstream stream(text);
  std::string w;
  for (int i = 0; i <= index && (stream >> w); ++i) {
  }
  return w;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", THREADML_VERSION);

  const std::string config = openblas_get_config();
  Napi::Object blas = Napi::Object::New(env);
  blas.Set("name", "OpenBLAS");
  blas.Set("version", word(config, 1));
  blas.Set("core", openblas_get_corename());
  blas.Set("config", config);
  blas.Set("threads", openblas_get_num_threads());
  out.Set("blas", blas);

  out.Set("poolThreads", pool_threads());
  out.Set("helperSpinUs", helper_spin_us());

  out.Set("simd", reduce_simd_level());
  out.Set("threads", ThreadBudget::global().limit());
  out.Set("hardwareThreads", static_cast<double>(std::thread::hardware_concurrency()));
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  ThreadBudget::global().set_limit(int_arg(info[0], "threads", 1, 4096));
  return info.Env().Undefined();
}

Napi::Value SetEnvironmentThreads(const Napi::CallbackInfo& info) {
  set_environment_thread_cap(info.Env(), int_arg(info[0], "threads", 0, 4096));
  return info.Env().Undefined();
}

// What one call of this environment may lease at most: the budget, under the environment's cap.
Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  const int limit = ThreadBudget::global().limit();
  const int cap = environment_thread_cap(info.Env());
  return Napi::Number::New(info.Env(), cap > 0 ? std::min(limit, cap) : limit);
}

Napi::Value JobStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const JobCounters& c = job_counters();
  Napi::Object out = Napi::Object::New(env);
  out.Set("queued", c.queued.load());
  out.Set("running", c.running.load());
  out.Set("completed", static_cast<double>(c.completed.load()));
  out.Set("threadsInUse", ThreadBudget::global().in_use());
  return out;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ThreadBudget::global();  // pins OpenBLAS to one thread before any BLAS call
  register_environment(env);
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("setEnvironmentThreads", Napi::Function::New(env, SetEnvironmentThreads, "setEnvironmentThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
  exports.Set("jobStats", Napi::Function::New(env, JobStats, "jobStats"));
  register_reduce(env, exports);
  register_linalg(env, exports);
  register_linear(env, exports);
  register_io(env, exports);
  register_preprocess(env, exports);
  register_tree(env, exports);
  register_hash(env, exports);
  register_nn(env, exports);
  return exports;
}

}  // namespace threadml::binding

static Napi::Object InitThreadml(Napi::Env env, Napi::Object exports) { return threadml::binding::Init(env, exports); }

NODE_API_MODULE(threadml, InitThreadml)
