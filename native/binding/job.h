// The async job every heavy call goes through: inputs are validated and pinned on the JS thread,
// the kernel runs on the libuv pool with a lease from the thread budget, and a Promise settles.
#pragma once
#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "core/status.h"

namespace threadml::binding {

// Per-call options shared by every job: {threads?, abort?: Int32Array, onProgress?: (fraction) => void}.
struct JobOptions {
  int threads = 0;  // 0: the whole budget
  Napi::Value abort_flag;
  Napi::Function on_progress;
  static JobOptions parse(const Napi::Value& value);
};

// Delivers progress on the JS thread in increasing order, and closes when the job settles so that a
// report still queued then is dropped: every report reaches JS before the Promise settles.
struct ProgressChannel {
  Napi::FunctionReference callback;
  int delivered_permille = -1;
  bool closed = false;
  void deliver(Napi::Env env, int permille);
};

class Job final : public Napi::AsyncWorker, private ProgressSink {
 public:
  using Pins = std::vector<Napi::Reference<Napi::Value>>;
  using Run = std::function<void(const ExecContext&)>;
  using Finish = std::function<Napi::Value(Napi::Env, const Pins&)>;

  // Queues `run` (off the JS thread) and returns a Promise resolved with `finish()` (on the JS thread).
  // Every value in `pins` stays referenced until the job ends, so the GC cannot free a buffer in use;
  // finish reads them back from its Pins argument (a napi_value must not outlive its call).
  // `cost` estimates the work in bytes streamed (or flops, whichever dominates). Jobs cheaper than
  // kInlineCost run at once on the JS thread: for them the hop to the thread pool costs more than
  // the work, and they finish within microseconds.
  static Napi::Promise Start(Napi::Env env, const JobOptions& options, const std::vector<Napi::Value>& pins,
                             double cost, Run run, Finish finish);
  static constexpr double kInlineCost = 64 * 1024;

  // Called when the job's environment shuts down (a worker terminates, or the process exits): the
  // kernel stops at its next poll and the Promise is left unsettled, since JS can no longer run.
  void Abandon() noexcept {
    abandoned_ = true;
    cancel_.cancel();
  }

  ~Job() override;

 private:
  Job(Napi::Env env, const JobOptions& options, const std::vector<Napi::Value>& pins, Run run, Finish finish);

  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;
  void report(double fraction) noexcept override;

  Napi::Promise::Deferred deferred_;
  void Settle(Napi::Env env);
  void Fail(ErrorKind kind, const std::string& message);

  Pins pins_;
  Run run_;
  Finish finish_;
  int wanted_threads_;
  int thread_cap_;
  CancelToken cancel_;
  bool abandoned_ = false;
  ErrorKind error_kind_ = ErrorKind::Internal;
  std::string error_message_;
  bool has_progress_ = false;
  Napi::ThreadSafeFunction progress_;
  std::shared_ptr<ProgressChannel> progress_channel_;
  std::mutex progress_mutex_;
  int last_permille_ = -1;
};

// Process-wide job counters, for services sizing their load.
struct JobCounters {
  std::atomic<int> queued{0};
  std::atomic<int> running{0};
  std::atomic<long long> completed{0};
};
JobCounters& job_counters();

void register_environment(Napi::Env env);

// A cap on the threads one environment's jobs lease (0: none), under the process-wide budget. Set in
// worker threads so that nJobs workers split the cores instead of each leasing all of them.
void set_environment_thread_cap(Napi::Env env, int threads);
int environment_thread_cap(Napi::Env env);

}  // namespace threadml::binding
