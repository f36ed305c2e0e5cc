// The products of LISTA's double training (solvers/src/lista_kernels.hpp)
// against plain loops, on shapes that exercise full row tiles, single
// packets and leftover rows, and column tiles of every width.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "../../solvers/src/lista_kernels.hpp"

namespace lk = barriers::lista_kernels;
using Index = Eigen::Index;
using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

namespace {

Mat random_matrix(std::mt19937_64& rng, Index r, Index c) {
  std::normal_distribution<double> d;
  Mat M(r, c);
  for (Index k = 0; k < M.size(); ++k) M.data()[k] = d(rng);
  return M;
}

// C0 + X M with the documented order: from C0(i, j) (or 0), the k products
// added one by one in order of k, each by lane_madd.
Mat reference(const Mat& X, const Mat& M, const Mat* C0) {
  Mat C(X.rows(), M.cols());
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < M.cols(); ++j) {
      double acc = C0 ? (*C0)(i, j) : 0.0;
      for (Index k = 0; k < X.cols(); ++k) acc = lk::lane_madd(X(i, k), M(k, j), acc);
      C(i, j) = acc;
    }
  return C;
}

const Index kRows[] = {1, 5, lk::kLanes - 1, lk::kLanes, lk::kTileRows - 1, lk::kTileRows,
                       lk::kTileRows + lk::kLanes + 3, 144};
const Index kInner[] = {1, 21, 22};
const Index kCols[] = {1, 3, 11, 12, 13, 21, 22, 25};

}  // namespace

TEST_CASE("LISTA kernels: tall_product equals the in-order multiply-add sum bit for bit") {
  // Every entry is one chain of multiply-adds in a fixed order, whichever
  // tile (two packets, one packet, single lane) computes it, so the result
  // is not merely close but identical.
  std::mt19937_64 rng(3);
  for (Index rows : kRows)
    for (Index k : kInner)
      for (Index n : kCols) {
        CAPTURE(rows);
        CAPTURE(k);
        CAPTURE(n);
        const Mat X = random_matrix(rng, rows, k), M = random_matrix(rng, k, n);
        const Mat C0 = random_matrix(rng, rows, n);
        Mat C = Mat::Constant(rows, n, -7.0);
        lk::Store plain{C.data(), rows};
        lk::tall_product(rows, k, n, X.data(), rows, M.data(), k, nullptr, 0, plain);
        CHECK((C == reference(X, M, nullptr)));
        // In place: C0 is also the output.
        Mat D = C0;
        lk::Store in_place{D.data(), rows};
        lk::tall_product(rows, k, n, X.data(), rows, M.data(), k, D.data(), rows, in_place);
        CHECK((D == reference(X, M, &C0)));
      }
}

TEST_CASE("LISTA kernels: leading dimensions larger than the row count") {
  std::mt19937_64 rng(4);
  const Index rows = lk::kTileRows + 3, k = 7, n = 9, ld = rows + 5;
  const Mat Xbig = random_matrix(rng, ld, k), Mbig = random_matrix(rng, k + 2, n);
  Mat Cbig = Mat::Zero(ld, n);
  lk::Store st{Cbig.data(), ld};
  lk::tall_product(rows, k, n, Xbig.data(), ld, Mbig.data(), k + 2, nullptr, 0, st);
  const Mat X = Xbig.topRows(rows), M = Mbig.topRows(k);
  CHECK((Mat(Cbig.topRows(rows)) == reference(X, M, nullptr)));
  CHECK(Cbig.bottomRows(ld - rows).isZero(0));  // rows beyond `rows` untouched
}

TEST_CASE("LISTA kernels: the soft-threshold epilogue stores z and soft_t(z) exactly") {
  std::mt19937_64 rng(5);
  const double t = 0.7;
  for (Index rows : kRows) {
    const Index k = 21, n = 22;
    const Mat X = random_matrix(rng, rows, k), M = random_matrix(rng, k, n) * 0.3;
    const Mat C0 = random_matrix(rng, rows, n);
    Mat Z = C0, out(rows, n);
    lk::StoreSoft soft{Z.data(), rows, out.data(), rows, t};
    lk::tall_product(rows, k, n, X.data(), rows, M.data(), k, Z.data(), rows, soft);
    const Mat z = reference(X, M, &C0);
    CHECK((Z == z));
    int zeros = 0;
    for (Index e = 0; e < z.size(); ++e) {
      const double v = z.data()[e];
      const double want = v > t ? v - t : v < -t ? v + t : 0.0;
      CHECK(out.data()[e] == want);
      zeros += want == 0;
    }
    if (rows >= lk::kLanes) CHECK(zeros > 0);  // both branches seen
  }
}

TEST_CASE("LISTA kernels: the backward mask zeroes g inside the kink and sums dL/dtheta") {
  std::mt19937_64 rng(6);
  const double t = 0.5;
  for (Index rows : kRows) {
    const Index n = 22;
    const Mat G = random_matrix(rng, rows, n), P = random_matrix(rng, n, n);
    Mat Z = random_matrix(rng, rows, n);
    Z(0, 0) = t;  // exactly at the kink: derivative 0
    Mat out(rows, n);
    lk::StoreMask mask{out.data(), rows, Z.data(), rows, t};
    lk::tall_product(rows, n, n, G.data(), rows, P.data(), n, nullptr, 0, mask);
    const Mat g = reference(G, P, nullptr);
    long double dtheta = 0, size = 0;
    for (Index e = 0; e < g.size(); ++e) {
      const double z = Z.data()[e], v = g.data()[e];
      const bool live = z > t || z < -t;
      CHECK(out.data()[e] == (live ? v : 0.0));
      if (live) dtheta += z > t ? -(long double)v : (long double)v;
      size += std::abs(v);
    }
    CHECK(out(0, 0) == 0.0);
    // The kernel sums the same terms in another order (per lane, then the
    // lanes): two orders of n terms differ by at most n eps sum|term|.
    const double bound = double(g.size()) * 0x1p-52 * double(size);
    CHECK(std::abs(double(mask.total() - dtheta)) <= bound);
  }
}

TEST_CASE("LISTA kernels: tall_inner_product adds R^T G") {
  // Row sums per lane, then across lanes: against long double, the error of
  // a sum of `rows` products is at most rows eps sum |r g| (first order).
  std::mt19937_64 rng(7);
  for (Index rows : kRows)
    for (Index m : {Index(1), Index(2), Index(4), Index(21)})
      for (Index n : {Index(1), Index(6), Index(9), Index(22)}) {
        CAPTURE(rows);
        CAPTURE(m);
        CAPTURE(n);
        const Mat R = random_matrix(rng, rows, m), G = random_matrix(rng, rows, n);
        const Mat C0 = random_matrix(rng, m, n);
        Mat C = C0;
        lk::tall_inner_product(rows, m, n, R.data(), rows, G.data(), rows, C.data(), m);
        double worst = 0;
        for (Index a = 0; a < m; ++a)
          for (Index j = 0; j < n; ++j) {
            long double sum = 0, size = std::abs(C0(a, j));
            for (Index b = 0; b < rows; ++b) {
              sum += (long double)R(b, a) * G(b, j);
              size += std::abs((long double)R(b, a) * G(b, j));
            }
            const double err = double(std::abs((long double)C(a, j) - (C0(a, j) + sum)));
            worst = std::max(worst, err / (double(rows + 1) * 0x1p-52 * double(size)));
          }
        CHECK(worst <= 1.0);
      }
}
