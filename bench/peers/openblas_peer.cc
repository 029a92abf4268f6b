// OpenBLAS called directly from C++ with its own threads: the bar for threadml's matrix products.
// Built by bench/peers/openblas_peer.ts at bench time (g++ -O2, -lopenblas).
//
//   openblas_peer gemm <n> <float32|float64> <threads> <warmup> <repeats>
//   openblas_peer gemv <n> <float32|float64> <threads> <warmup> <repeats> <0|1: transposed>
//   openblas_peer clock <threads> <milliseconds>
//
// gemm/gemv time C = A B (n x n row-major) or y = op(A) x on seeded data, after `warmup` calls and at
// least 200 ms of warm-up, and print one JSON object:
// {"samples_ms": [...], "core": ..., "config": ..., "threads": ...}. clock runs a chain of dependent
// integer adds (one per cycle) on each thread and prints {"ghz": [per thread]}: the clock the cores
// actually run at under load, which /proc/cpuinfo does not show in a VM.
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class T>
std::vector<T> seeded(std::size_t n, unsigned seed) {
  std::vector<T> out(n);
  unsigned state = seed;
  for (auto& v : out) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<T>(static_cast<double>(state >> 8) / 16777216.0 - 0.5);
  }
  return out;
}

void gemm(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}
void gemm(int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}
void gemv(int n, bool trans, const double* a, const double* x, double* y) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, n, n, 1.0, a, n, x, 1, 0.0, y, 1);
}
void gemv(int n, bool trans, const float* a, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, n, n, 1.0f, a, n, x, 1, 0.0f, y, 1);
}

template <class T>
std::vector<double> time_op(const std::string& op, int n, bool trans, int warmup, int repeats) {
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  const std::vector<T> a = seeded<T>(nn, 1), b = seeded<T>(op == "gemm" ? nn : n, 2);
  std::vector<T> c(op == "gemm" ? nn : n);
  auto run = [&] {
    if (op == "gemm") gemm(n, a.data(), b.data(), c.data());
    else gemv(n, trans, a.data(), b.data(), c.data());
  };
  // Warm up for `warmup` calls and at least 200 ms: OpenBLAS's threads and buffers start cold.
  for (const double start = now_ms(); warmup > 0 || now_ms() - start < 200; --warmup) run();
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    const double start = now_ms();
    run();
    samples.push_back(now_ms() - start);
  }
  return samples;
}

// Cycles per second of one core: 64 dependent adds per iteration, each one cycle of latency.
double clock_ghz(double ms) {
  unsigned long long x = 0, iterations = 0;
  const double start = now_ms();
  double elapsed = 0;
  while ((elapsed = now_ms() - start) < ms) {
    for (int i = 0; i < 100000; ++i) {
#define ADD8 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
      __asm__ volatile(ADD8 ADD8 ADD8 ADD8 ADD8 ADD8 ADD8 ADD8 : "+r"(x));
#undef ADD8
    }
    iterations += 100000;
  }
  return static_cast<double>(iterations) * 64 / (elapsed * 1e6);
}

int usage() {
  std::fprintf(stderr, "usage: openblas_peer gemm|gemv <n> <float32|float64> <threads> <warmup> <repeats> [trans]\n"
                       "       openblas_peer clock <threads> <milliseconds>\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string op = argv[1];
  if (op == "clock" && argc == 4) {
    const int threads = std::atoi(argv[2]);
    const double ms = std::atof(argv[3]);
    std::vector<double> ghz(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { ghz[t] = clock_ghz(ms); });
    for (auto& t : pool) t.join();
    std::printf("{\"ghz\": [");
    for (int t = 0; t < threads; ++t) std::printf("%s%.4f", t ? ", " : "", ghz[t]);
    std::printf("]}\n");
    return 0;
  }
  if ((op != "gemm" && op != "gemv") || argc < 7) return usage();
  const int n = std::atoi(argv[2]);
  const bool f32 = std::strcmp(argv[3], "float32") == 0;
  const int threads = std::atoi(argv[4]), warmup = std::atoi(argv[5]), repeats = std::atoi(argv[6]);
  const bool trans = argc > 7 && std::atoi(argv[7]) != 0;
  if (n < 1 || threads < 1 || repeats < 1) return usage();
  openblas_set_num_threads(threads);
  const std::vector<double> samples =
      f32 ? time_op<float>(op, n, trans, warmup, repeats) : time_op<double>(op, n, trans, warmup, repeats);
  std::printf("{\"samples_ms\": [");
  for (std::size_t i = 0; i < samples.size(); ++i) std::printf("%s%.6f", i ? ", " : "", samples[i]);
  std::printf("], \"core\": \"%s\", \"config\": \"%s\", \"threads\": %d}\n", openblas_get_corename(), openblas_get_config(),
              openblas_get_num_threads());
  return 0;
}
