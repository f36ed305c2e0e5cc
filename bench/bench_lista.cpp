// LISTA training speed in double on the Table-1 shapes, against Eigen's own
// GEMM and PyTorch, all measured in the same run.
//
// Workload: the 21 x 22 Table-1 (P3) matrix (K = 1, n = 10, j = 2, used
// dense), 10 layers, 8000 training and 100 validation samples (5-sparse
// Gaussian x, y = A x), batch 1000, Adam at 2e-4: `table1 --paper`'s LISTA
// cell. An epoch is 8 training steps (forward, exact backpropagation, Adam)
// and one validation forward pass; the figures are wall and CPU time per
// epoch (best and median over the timed epochs). The four measurements
// (barriers on 1 and 2 threads, PyTorch on 1 and 2 threads) are repeated in
// interleaved rounds and each figure is the minimum over the rounds, so that
// load from other processes, which only adds time, affects both sides alike.
//
// Rows:
//  - barriers, 1 thread: one lista_train.
//  - barriers, 2 threads: two independent lista_train runs at once, one per
//    thread (how `table1 --threads 2` uses two cores: one cell per thread; a
//    single training is not split across threads). The figure is wall time
//    per epoch of one run, and the throughput is 2 epochs per that time.
//  - GFLOP/s of the training (the flops of the products it performs per
//    step of batch B: forward 2 L - 1 products of 2 m N B flops, backward L
//    of 2 m N B (dW_i = R_i dZ_i^T) and L - 1 of 2 N N B (G <- (I - As^T W_i) G),
//    plus one validation forward pass), from CPU time, beside Eigen's GEMM on
//    the same four shapes, timed alone here.
//  - PyTorch (bench/lista_pytorch.py, float64, same shapes, Adam, MSE) with
//    the same thread count, when `import torch` works in $BARRIERS_PYTHON,
//    python3 or /usr/bin/python3; otherwise the row says it is unavailable.
//
// Usage: bench_lista [epochs] [rounds]   (timed epochs per measurement,
// default 20; interleaved rounds, default 3)
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_matrices.hpp"
#include "barriers/solvers/lista.hpp"

using namespace barriers;
using barriers::bench::table1_matrix;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kLayers = 10;
constexpr Eigen::Index kTrain = 8000, kValidation = 100, kBatch = 1000;

double normal(std::mt19937_64& rng) {
  const double u1 = (double(rng() >> 11) + 0.5) * 0x1p-53, u2 = double(rng() >> 11) * 0x1p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

Matrix<double> sparse_samples(Eigen::Index N, Eigen::Index count, std::mt19937_64& rng) {
  Matrix<double> X = Matrix<double>::Zero(N, count);
  for (Eigen::Index c = 0; c < count; ++c)
    for (int k = 0; k < 5; ++k) X(Eigen::Index(rng() % std::uint64_t(N)), c) = normal(rng);
  return X;
}

// Milliseconds of CPU time used by the calling thread.
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

// Best and median wall time, and best CPU time, per epoch.
struct Timing {
  double best_ms = 0, median_ms = 0, best_cpu_ms = 0;
};

// The better of two measurements, figure by figure (an empty one is 0).
Timing best_of(const Timing& a, const Timing& b) {
  if (a.best_ms == 0) return b;
  return {std::min(a.best_ms, b.best_ms), std::min(a.median_ms, b.median_ms),
          std::min(a.best_cpu_ms, b.best_cpu_ms)};
}

Timing summarise(std::vector<double> ms, std::vector<double> cpu_ms) {
  std::sort(ms.begin(), ms.end());
  return {ms.front(), ms[ms.size() / 2], *std::min_element(cpu_ms.begin(), cpu_ms.end())};
}

// One training run of `epochs` timed epochs after `warmup` untimed ones.
Timing train_once(const Matrix<double>& A, int epochs, int warmup, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Matrix<double> Xt = sparse_samples(A.cols(), kTrain, rng);
  const Matrix<double> Xv = sparse_samples(A.cols(), kValidation, rng);
  const Matrix<double> Yt = A * Xt, Yv = A * Xv;
  ListaNetwork<double> net(A, kLayers, seed);
  ListaTrainSettings<double> s;
  s.epochs = warmup + epochs;
  s.batch_size = int(kBatch);
  s.learning_rate = 2e-4;
  std::vector<double> ms, cpu_ms;
  Clock::time_point last;
  double last_cpu = 0;
  s.observer = [&](const ListaEpoch<double>& e) {
    const Clock::time_point now = Clock::now();
    const double cpu = thread_cpu_ms();
    if (e.epoch > warmup) {
      ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      cpu_ms.push_back(cpu - last_cpu);
    }
    last = Clock::now();
    last_cpu = thread_cpu_ms();
    return ListaObserverAction::proceed;
  };
  lista_train(net, Yt, Xt, Yv, Xv, s);
  return summarise(ms, cpu_ms);
}

// GFLOP/s of one product, Eigen alone (best CPU time of repeats, like the
// training's figure).
template <class F>
double gflops(double flops, F&& product) {
  double best = 1e300;
  for (int rep = 0; rep < 7; ++rep) {
    const int inner = 20;
    const double t0 = thread_cpu_ms();
    for (int k = 0; k < inner; ++k) product();
    best = std::min(best, (thread_cpu_ms() - t0) / inner);
  }
  return flops / best * 1e-6;
}

// PyTorch's best and median ms per epoch, or nothing with the reason.
bool pytorch_epoch(int threads, int epochs, Timing& out, std::string& why) {
  std::vector<std::string> pythons;
  if (const char* p = std::getenv("BARRIERS_PYTHON")) pythons.push_back(p);
  pythons.push_back("python3");
  pythons.push_back("/usr/bin/python3");
  why = "no python3 found";
  for (const std::string& py : pythons) {
    const std::string cmd = "'" + py + "' '" + std::string(LISTA_PYTORCH_SCRIPT) +
                            "' --threads " + std::to_string(threads) + " --epochs " +
                            std::to_string(epochs) + " 2>&1";
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) continue;
    std::array<char, 512> buf{};
    std::string text;
    while (fgets(buf.data(), int(buf.size()), f)) text += buf.data();
    pclose(f);
    double best = 0, median = 0, cpu = 0;
    if (std::sscanf(text.c_str(), "ms_per_epoch %lf %lf %lf", &best, &median, &cpu) == 3) {
      out = {best, median, cpu};
      return true;
    }
    if (!text.empty()) why = py + ": " + text.substr(0, text.find('\n'));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::max(3, std::atoi(argv[1])) : 20;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const int warmup = 2;
  const Matrix<double> A = table1_matrix();
  const double m = double(A.rows()), N = double(A.cols());
  const double steps = double(kTrain / kBatch);
  const double L = kLayers, Bd = double(kBatch);
  const double flops_per_step = 2 * m * N * Bd * (3 * L - 1) + 2 * N * N * Bd * (L - 1);
  const double flops_per_epoch =
      steps * flops_per_step + 2 * m * N * double(kValidation) * (2 * L - 1);

  std::printf("LISTA training, double: %g x %g matrix, %d layers, %ld training + %ld validation "
              "samples, batch %ld, Adam; %d timed epochs (after %d warm-up) per measurement, "
              "minimum over %d interleaved rounds\n\n",
              m, N, kLayers, long(kTrain), long(kValidation), long(kBatch), epochs, warmup, rounds);

  Timing one, two, torch[2];
  bool torch_ok[2] = {false, false};
  std::string torch_why[2];
  for (int round = 0; round < rounds; ++round) {
    one = best_of(one, train_once(A, epochs, warmup, 1));
    Timing two_runs[2];
    {
      std::thread t([&] { two_runs[1] = train_once(A, epochs, warmup, 2); });
      two_runs[0] = train_once(A, epochs, warmup, 3);
      t.join();
    }
    two = best_of(two, {std::max(two_runs[0].best_ms, two_runs[1].best_ms),
                        std::max(two_runs[0].median_ms, two_runs[1].median_ms),
                        std::max(two_runs[0].best_cpu_ms, two_runs[1].best_cpu_ms)});
    for (int threads : {1, 2}) {
      Timing pt;
      if (pytorch_epoch(threads, epochs, pt, torch_why[threads - 1])) {
        torch[threads - 1] = best_of(torch[threads - 1], pt);
        torch_ok[threads - 1] = true;
      }
    }
  }

  // Eigen's GEMM on the training step's shapes (B = the batch).
  std::mt19937_64 rng(9);
  const Eigen::Index mi = A.rows(), Ni = A.cols(), B = kBatch;
  Matrix<double> P(mi, Ni), Q(Ni, Ni), X(Ni, B), Rm(mi, B), Cm(mi, B), Cn(Ni, B), Cw(mi, Ni);
  for (Matrix<double>* M : {&P, &Q, &X, &Rm})
    for (Eigen::Index k = 0; k < M->size(); ++k) M->data()[k] = normal(rng);
  Cm.setZero();
  Cn.setZero();
  Cw.setZero();
  const double f = 2 * m * N * double(B);
  const double g_fwd = gflops(f, [&] { Cm.noalias() -= P * X; });               // A x
  const double g_adj = gflops(f, [&] { Cn.noalias() += P.transpose() * Rm; });  // W^T r
  const double g_out = gflops(f, [&] { Cw.noalias() += Rm * X.transpose(); });   // R dZ^T
  const double g_back = gflops(2 * N * N * double(B), [&] { Cn.noalias() = Q * X; });  // P G
  const Eigen::Index big = 512;
  Matrix<double> Pb = Matrix<double>::Random(big, big), Qb = Matrix<double>::Random(big, big),
                 Cb = Matrix<double>::Zero(big, big);
  const double g_big = gflops(2.0 * big * big * big, [&] { Cb.noalias() += Pb * Qb; });

  std::printf("%-44s %10s %10s %12s %16s\n", "per epoch", "best ms", "median ms", "best CPU ms",
              "GFLOP/s (CPU)");
  std::printf("%-44s %10.2f %10.2f %12.2f %16.2f\n", "barriers, 1 thread (one training)",
              one.best_ms, one.median_ms, one.best_cpu_ms, flops_per_epoch / one.best_cpu_ms * 1e-6);
  std::printf("%-44s %10.2f %10.2f %12.2f %16.2f\n", "barriers, 2 threads (two trainings at once)",
              two.best_ms, two.median_ms, two.best_cpu_ms, flops_per_epoch / two.best_cpu_ms * 1e-6);
  std::printf("\nEigen GEMM alone, same shapes (GFLOP/s of CPU time, best): A x %ldx%ld*%ldx%ld: "
              "%.2f, W^T r: %.2f, R dZ^T: %.2f, P G: %.2f; square %ld: %.2f\n",
              long(mi), long(Ni), long(Ni), long(B), g_fwd, g_adj, g_out, g_back, long(big), g_big);

  std::printf("\nPyTorch, same model in float64 (bench/lista_pytorch.py):\n");
  for (int threads : {1, 2}) {
    const Timing& pt = torch[threads - 1];
    if (!torch_ok[threads - 1]) {
      std::printf("  %d thread(s): PyTorch baseline UNAVAILABLE (%s); no ratio\n", threads,
                  torch_why[threads - 1].c_str());
      continue;
    }
    if (threads == 1) {
      std::printf("  1 thread:  best %.2f ms, median %.2f ms, best CPU %.2f ms per epoch; "
                  "PyTorch / barriers: wall (best) %.2f, CPU (best) %.2f\n",
                  pt.best_ms, pt.median_ms, pt.best_cpu_ms, pt.best_ms / one.best_ms,
                  pt.best_cpu_ms / one.best_cpu_ms);
    } else {
      // barriers finishes two epochs (one per training) in `two` ms of wall
      // time: its throughput is one epoch per two.best_ms / 2.
      // CPU: a barriers epoch costs two.best_cpu_ms on its thread; PyTorch's
      // process time counts both of its threads.
      std::printf("  2 threads: best %.2f ms, median %.2f ms, best CPU %.2f ms per epoch; PyTorch / "
                  "barriers per epoch of throughput: wall (best) %.2f, CPU (best) %.2f\n",
                  pt.best_ms, pt.median_ms, pt.best_cpu_ms, pt.best_ms / (two.best_ms / 2),
                  pt.best_cpu_ms / two.best_cpu_ms);
    }
  }
  return 0;
}
