// Cost of FIRENET's exact input gradient against a forward pass (issue 10:
// within 4x), measured in the same run on the 80 x 200 Gaussian instance in
// double: FirenetNetwork's forward pass, and FirenetMap's forward pass (with
// its tape) plus the backward pass. Each call is timed on its own and the
// minimum over interleaved calls is kept: on a shared machine a longer timed
// span is more likely to be interrupted, so timing chunks of calls would
// penalise the longer gradient call.
// Run: ./bench/bench_stability_gradient
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet_network.hpp"
#include "barriers/solvers/stability/firenet_gradient.hpp"
#include "bench_matrices.hpp"

using namespace barriers;

namespace {
// The shortest of `calls` individually timed calls.
template <class F>
double seconds_per_call(F&& f, int calls) {
  double best = 1e300;
  for (int i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}
}  // namespace

int main() {
  auto A = std::make_shared<DenseOperator<double>>(bench::gaussian_matrix(80, 200, 1));
  FirenetSettings<double> s;
  s.lambda = 0.1;
  s.restarts = 10;
  s.inner = 5;
  s.delta = 1e-3;
  FirenetNetwork<double> net(A, s);
  FirenetMap<double> map(A, s);
  const Vector<double> y = A->forward(Vector<double>::LinSpaced(200, -1, 1));
  const Vector<double> c = Vector<double>::LinSpaced(200, 1, 2);
  Vector<double> out, g, sink;
  map.forward(y, out);  // size every buffer once
  map.backward(c, g);
  double fwd = 1e300, grad = 1e300, tape = 1e300;
  const int calls = 20;
  for (int chunk = 0; chunk < 30; ++chunk) {
    fwd = std::min(fwd, seconds_per_call([&] { sink = net(y); }, calls));
    tape = std::min(tape, seconds_per_call([&] { map.forward(y, out); }, calls));
    grad = std::min(grad, seconds_per_call([&] {
      map.forward(y, out);
      map.backward(c, g);
    }, calls));
  }
  std::printf("FIRENET 80 x 200 double, n = %d restarts, p = %d inner steps\n", s.restarts, s.inner);
  std::printf("  forward pass (FirenetNetwork):          %8.1f us\n", fwd * 1e6);
  std::printf("  forward with tape (FirenetMap):           %8.1f us\n", tape * 1e6);
  std::printf("  forward with tape + backward (gradient): %8.1f us\n", grad * 1e6);
  std::printf("  ratio gradient / forward:                %8.2f (target <= 4)\n", grad / fwd);
  return 0;
}
