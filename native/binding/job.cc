#include "binding/job.h"

#include "binding/args.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_set>

namespace threadml::binding {

namespace {

// Live jobs of one environment (main thread or a worker). Touched only on that environment's JS
// thread; at teardown its jobs are cancelled so they stop reading memory that is about to go away.
struct EnvironmentState {
  std::unordered_set<Job*> live_jobs;
  int thread_cap = 0;
};

EnvironmentState& state_of(Napi::Env env) { return *env.GetInstanceData<EnvironmentState>(); }

Napi::Error make_error(Napi::Env env, ErrorKind kind, const std::string& message) {
  switch (kind) {
    case ErrorKind::Type: return Napi::TypeError::New(env, message);
    case ErrorKind::Range: return Napi::RangeError::New(env, message);
    case ErrorKind::Aborted: {
      Napi::Error error = Napi::Error::New(env, message);
      error.Set("name", Napi::String::New(env, "AbortError"));
      error.Set("code", Napi::String::New(env, "ABORT_ERR"));
      return error;
    }
    default: return Napi::Error::New(env, message);
  }
}

}  // namespace

JobCounters& job_counters() {
  static JobCounters counters;
  return counters;
}

void register_environment(Napi::Env env) {
  auto* state = new EnvironmentState();
  env.SetInstanceData<EnvironmentState>(state);
  env.AddCleanupHook([state]() {
    for (Job* job : state->live_jobs) job->Abandon();
  });
}

void set_environment_thread_cap(Napi::Env env, int threads) { state_of(env).thread_cap = threads; }

int environment_thread_cap(Napi::Env env) { return state_of(env).thread_cap; }

JobOptions JobOptions::parse(const Napi::Value& value) {
  JobOptions options;
  if (value.IsUndefined() || value.IsNull()) return options;
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "Expected an object for options");
  const Napi::Object object = value.As<Napi::Object>();
  const Napi::Value threads = object.Get("threads");
  if (!threads.IsUndefined()) {
    const double n = threads.IsNumber() ? threads.As<Napi::Number>().DoubleValue() : -1.0;
    if (!(n >= 1.0 && n <= 4096.0) || n != static_cast<double>(static_cast<int>(n)))
      throw Napi::RangeError::New(value.Env(), "Expected an integer from 1 to 4096 for threads");
    options.threads = static_cast<int>(n);
  }
  const Napi::Value abort = object.Get("abort");
  if (!abort.IsUndefined()) {
    if (!abort.IsTypedArray() || abort.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        abort.As<Napi::TypedArray>().ElementLength() < 1)
      throw Napi::TypeError::New(value.Env(), "Expected an Int32Array of length >= 1 for abort");
    options.abort_flag = abort;
  }
  const Napi::Value progress = object.Get("onProgress");
  if (!progress.IsUndefined()) {
    if (!progress.IsFunction()) throw Napi::TypeError::New(value.Env(), "Expected a function for onProgress");
    options.on_progress = progress.As<Napi::Function>();
  }
  return options;
}

Napi::Promise Job::Start(Napi::Env env, const JobOptions& options, const std::vector<Napi::Value>& pins,
                         double cost, Run run, Finish finish) {
  Job* job = new Job(env, options, pins, std::move(run), std::move(finish));
  Napi::Promise promise = job->deferred_.Promise();
  job_counters().queued.fetch_add(1, std::memory_order_relaxed);
  if (cost < kInlineCost && !job->has_progress_) {
    job->Execute();
    job->Settle(env);
    delete job;
  } else {
    job->Queue();
  }
  return promise;
}

Job::Job(Napi::Env env, const JobOptions& options, const std::vector<Napi::Value>& pins, Run run, Finish finish)
    : Napi::AsyncWorker(env, "threadml"),
      deferred_(Napi::Promise::Deferred::New(env)),
      run_(std::move(run)),
      finish_(std::move(finish)),
      wanted_threads_(options.threads),
      thread_cap_(environment_thread_cap(env)) {
  pins_.reserve(pins.size() + 1);
  for (const Napi::Value& value : pins) pins_.push_back(Napi::Persistent(value));
  if (!options.abort_flag.IsEmpty()) {
    pins_.push_back(Napi::Persistent(options.abort_flag));
    cancel_.watch(static_cast<const int32_t*>(typed_array_data(options.abort_flag.As<Napi::TypedArray>())));
  }
  if (!options.on_progress.IsEmpty()) {
    has_progress_ = true;
    progress_ = Napi::ThreadSafeFunction::New(env, options.on_progress, "threadml.progress", 0, 1);
    progress_channel_ = std::make_shared<ProgressChannel>();
    progress_channel_->callback = Napi::Persistent(options.on_progress);
  }
  state_of(env).live_jobs.insert(this);
}

Job::~Job() { state_of(Env()).live_jobs.erase(this); }

void Job::Execute() {
  JobCounters& counters = job_counters();
  counters.queued.fetch_sub(1, std::memory_order_relaxed);
  counters.running.fetch_add(1, std::memory_order_relaxed);
  try {
    ThreadBudget& budget = ThreadBudget::global();
    const int wanted = wanted_threads_ > 0 ? wanted_threads_ : budget.limit();
    ThreadBudget::Lease lease(budget, thread_cap_ > 0 ? std::min(wanted, thread_cap_) : wanted);
    ExecContext ctx;
    ctx.threads = lease.threads();
    ctx.cancel = &cancel_;
    ctx.progress = has_progress_ ? this : nullptr;
    ctx.check_cancelled();
    run_(ctx);
    ctx.report(1.0);
  } catch (const Error& e) {
    Fail(e.kind(), e.what());
  } catch (const std::bad_alloc&) {
    Fail(ErrorKind::Range, "Not enough memory for this call (std::bad_alloc)");
  } catch (const std::exception& e) {
    Fail(ErrorKind::Internal, std::string("threadml internal error: ") + e.what());
  }
  if (has_progress_) progress_.Release();
  counters.running.fetch_sub(1, std::memory_order_relaxed);
  counters.completed.fetch_add(1, std::memory_order_relaxed);
}

void Job::Fail(ErrorKind kind, const std::string& message) {
  error_kind_ = kind;
  error_message_ = message;
  SetError(message);
}

void Job::report(double fraction) noexcept {
  const int permille = static_cast<int>(fraction * 1000.0);
  // Forward at most every 1%, in increasing order, so a fast kernel cannot flood the event loop.
  std::lock_guard<std::mutex> lock(progress_mutex_);
  if (permille < last_permille_ + 10 && !(permille == 1000 && last_permille_ != 1000)) return;
  last_permille_ = permille;
  progress_.NonBlockingCall(
      [channel = progress_channel_, permille](Napi::Env env, Napi::Function) { channel->deliver(env, permille); });
}

void ProgressChannel::deliver(Napi::Env env, int permille) {
  if (closed || permille <= delivered_permille || env == nullptr) return;
  delivered_permille = permille;
  try {
    callback.Call({Napi::Number::New(env, permille / 1000.0)});
  } catch (const Napi::Error&) {
    // lib/ wraps user callbacks so they cannot throw; never let one unwind into Node.
  }
}

void Job::Settle(Napi::Env env) {
  if (abandoned_) return;
  if (progress_channel_) {
    if (error_message_.empty()) progress_channel_->deliver(env, 1000);
    progress_channel_->closed = true;
  }
  try {
    if (!error_message_.empty()) {
      deferred_.Reject(make_error(env, error_kind_, error_message_).Value());
      return;
    }
    try {
      deferred_.Resolve(finish_(env, pins_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  } catch (const Napi::Error&) {
    // The environment is shutting down and cannot run JS any more: nobody is left to tell.
  }
}

void Job::OnOK() { Settle(Env()); }

void Job::OnError(const Napi::Error&) { Settle(Env()); }

}  // namespace threadml::binding
