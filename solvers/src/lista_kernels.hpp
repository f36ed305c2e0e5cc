// The products of LISTA's double training, written for its shapes.
//
// With one sample per row, every product of a LISTA layer multiplies a tall
// batch matrix (B x k, B in the hundreds) by a small weight-shaped one
// (k x n, k and n about 20 at the Table-1 size), or reduces two tall
// matrices to a small one (dW = R^T G). Eigen's GEMM copies ("packs") the
// tall operand into its own layout before every such product, and the
// element-wise step of the layer then reads the result again. These kernels
// read the tall operand in place, in register tiles of two packets of rows
// by up to 12 columns (AVX-512; 6 with 16 vector registers), and apply the
// layer's element-wise step (soft threshold, or the backward mask with
// dL/dtheta) to each tile while it is in registers.
//
// Rounding: each entry of tall_product is its initial value (or 0) plus the
// k products added one by one in order of k, each by one multiply-add
// (fused when the build targets FMA). Rows that do not fill a packet take
// the same operations one lane at a time, so a row's result does not depend
// on where it sits in the batch (forward(y) equals the batch's column).
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace barriers::lista_kernels {

using Index = Eigen::Index;
namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
// Lanes (not unpacket_traits<P>::size: GCC warns on P's attributes there).
constexpr Index kLanes = Index(sizeof(Packet) / sizeof(double));
constexpr Index kTileRows = 2 * kLanes;
// Register budget: 2 x kMaxCols accumulators, two row packets and a
// broadcast within 32 (AVX-512) or 16 vector registers.
constexpr int kMaxCols = kLanes >= 8 ? 12 : 6;

// One lane of ei::pmadd: fused exactly when the packet version is.
inline double lane_madd(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// Epilogues: what happens to a finished entry v of row i, column j.
// Plain store into C.
struct Store {
  double* C;
  Index ldc;
  void operator()(const Packet& v, Index i, Index j) { ei::pstoreu(C + i + j * ldc, v); }
  void operator()(double v, Index i, Index j) { C[i + j * ldc] = v; }
};

// C = z and out = soft_t(z) = max(z - t, 0) + min(z + t, 0) (equal to the
// soft threshold exactly: at most one term is nonzero). pmax/pmin follow
// std::max/std::min, so lanes and single rows agree.
struct StoreSoft {
  double* C;
  Index ldc;
  double* out;
  Index ldo;
  double t;
  void operator()(const Packet& v, Index i, Index j) {
    const Packet tp = ei::pset1<Packet>(t), zero = ei::pzero(tp);
    ei::pstoreu(C + i + j * ldc, v);
    ei::pstoreu(out + i + j * ldo,
                ei::padd(ei::pmax(ei::psub(v, tp), zero), ei::pmin(ei::padd(v, tp), zero)));
  }
  void operator()(double v, Index i, Index j) {
    C[i + j * ldc] = v;
    out[i + j * ldo] = std::max(v - t, 0.0) + std::min(v + t, 0.0);
  }
};

// The backward step through x = soft_t(z): C = g where |z| > t, else 0 (the
// kink has derivative 0), and dtheta accumulates -sign(z) g over |z| > t
// (per lane in `acc`, then in total(); a lane-wise sum).
struct StoreMask {
  double* C;
  Index ldc;
  const double* Z;
  Index ldz;
  double t;
  Packet acc = ei::pset1<Packet>(0.0);
  double rest = 0;
  void operator()(const Packet& v, Index i, Index j) {
    const Packet tp = ei::pset1<Packet>(t), ntp = ei::pset1<Packet>(-t), zero = ei::pzero(tp);
    const Packet z = ei::ploadu<Packet>(Z + i + j * ldz);
    const Packet up = ei::pcmp_lt(tp, z), down = ei::pcmp_lt(z, ntp);
    const Packet g = ei::pselect(ei::por(up, down), v, zero);
    ei::pstoreu(C + i + j * ldc, g);
    acc = ei::psub(acc, ei::pselect(up, g, ei::pnegate(g)));
  }
  void operator()(double v, Index i, Index j) {
    const double z = Z[i + j * ldz];
    double g = 0;
    if (z > t) {
      g = v;
      rest -= v;
    } else if (z < -t) {
      g = v;
      rest += v;
    }
    C[i + j * ldc] = g;
  }
  double total() const { return ei::predux(acc) + rest; }
};

namespace detail {

// Rows [i0, i0 + P lanes) x columns [j0, j0 + J) of C0 + X M.
template <int P, int J, class Epi>
inline void tile(Index i0, Index j0, Index k, const double* X, Index ldx, const double* M, Index ldm,
                 const double* C0, Index ldc0, Epi& epi) {
  Packet acc[P][J];
#pragma GCC unroll 12
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p)
      acc[p][j] = C0 ? ei::ploadu<Packet>(C0 + i0 + p * kLanes + (j0 + j) * ldc0)
                     : ei::pset1<Packet>(0.0);
  const double* Mj = M + j0 * ldm;
  for (Index kk = 0; kk < k; ++kk) {
    Packet x[P];
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) x[p] = ei::ploadu<Packet>(X + i0 + p * kLanes + kk * ldx);
#pragma GCC unroll 12
    for (int j = 0; j < J; ++j) {
      const Packet b = ei::pset1<Packet>(Mj[kk + j * ldm]);
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) acc[p][j] = ei::pmadd(x[p], b, acc[p][j]);
    }
  }
#pragma GCC unroll 12
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) epi(acc[p][j], i0 + p * kLanes, j0 + j);
}

// Columns [j0, j0 + J) over all rows: full tiles, one packet, single lanes.
template <int J, class Epi>
inline void column_block(Index rows, Index j0, Index k, const double* X, Index ldx, const double* M,
                         Index ldm, const double* C0, Index ldc0, Epi& epi) {
  Index i = 0;
  for (; i + kTileRows <= rows; i += kTileRows) tile<2, J>(i, j0, k, X, ldx, M, ldm, C0, ldc0, epi);
  if (i + kLanes <= rows) {
    tile<1, J>(i, j0, k, X, ldx, M, ldm, C0, ldc0, epi);
    i += kLanes;
  }
  for (; i < rows; ++i)
    for (Index j = j0; j < j0 + J; ++j) {
      double acc = C0 ? C0[i + j * ldc0] : 0.0;
      for (Index kk = 0; kk < k; ++kk) acc = lane_madd(X[i + kk * ldx], M[kk + j * ldm], acc);
      epi(acc, i, j);
    }
}

template <class Epi, int J = kMaxCols>
inline void column_block_dispatch(int width, Index rows, Index j0, Index k, const double* X, Index ldx,
                                  const double* M, Index ldm, const double* C0, Index ldc0, Epi& epi) {
  if constexpr (J >= 1) {
    if (width == J) return column_block<J>(rows, j0, k, X, ldx, M, ldm, C0, ldc0, epi);
    column_block_dispatch<Epi, J - 1>(width, rows, j0, k, X, ldx, M, ldm, C0, ldc0, epi);
  }
}

}  // namespace detail

// epi receives C0 + X M, entry by entry: X is rows x k (column-major, leading
// dimension ldx), M is k x n (ldm), C0 is rows x n (ldc0) or null for 0. The
// epilogue's output may be C0 itself (each entry of C0 is read before the
// entry is written, and by no other tile).
template <class Epi>
void tall_product(Index rows, Index k, Index n, const double* X, Index ldx, const double* M, Index ldm,
                  const double* C0, Index ldc0, Epi& epi) {
  // Column tiles of near-equal widths (22 = 11 + 11, not 12 + 10).
  const Index tiles = (n + kMaxCols - 1) / kMaxCols;
  Index j0 = 0;
  for (Index t = 0; t < tiles; ++t) {
    const Index width = (n - j0) / (tiles - t);
    detail::column_block_dispatch(int(width), rows, j0, k, X, ldx, M, ldm, C0, ldc0, epi);
    j0 += width;
  }
}

namespace detail {

// C(a0 + s, j0 + j) += sum over rows b of R(b, a0 + s) G(b, j0 + j).
template <int S, int J>
inline void reduce_tile(Index rows, Index a0, Index j0, const double* R, Index ldr, const double* G,
                        Index ldg, double* C, Index ldc) {
  Packet acc[S][J];
#pragma GCC unroll 8
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 3
    for (int s = 0; s < S; ++s) acc[s][j] = ei::pset1<Packet>(0.0);
  Index b = 0;
  for (; b + kLanes <= rows; b += kLanes) {
    Packet r[S];
#pragma GCC unroll 3
    for (int s = 0; s < S; ++s) r[s] = ei::ploadu<Packet>(R + b + (a0 + s) * ldr);
#pragma GCC unroll 8
    for (int j = 0; j < J; ++j) {
      const Packet g = ei::ploadu<Packet>(G + b + (j0 + j) * ldg);
#pragma GCC unroll 3
      for (int s = 0; s < S; ++s) acc[s][j] = ei::pmadd(r[s], g, acc[s][j]);
    }
  }
  for (int j = 0; j < J; ++j)
    for (int s = 0; s < S; ++s) {
      double sum = ei::predux(acc[s][j]);
      for (Index bb = b; bb < rows; ++bb)
        sum = lane_madd(R[bb + (a0 + s) * ldr], G[bb + (j0 + j) * ldg], sum);
      C[a0 + s + (j0 + j) * ldc] += sum;
    }
}

constexpr int kReduceRows = kLanes >= 8 ? 3 : 2;
constexpr int kReduceCols = kLanes >= 8 ? 8 : 5;

template <int S, int J = kReduceCols>
inline void reduce_dispatch(int width, Index rows, Index a0, Index j0, const double* R, Index ldr,
                            const double* G, Index ldg, double* C, Index ldc) {
  if constexpr (J >= 1) {
    if (width == J) return reduce_tile<S, J>(rows, a0, j0, R, ldr, G, ldg, C, ldc);
    reduce_dispatch<S, J - 1>(width, rows, a0, j0, R, ldr, G, ldg, C, ldc);
  }
}

}  // namespace detail

// C += R^T G: R is rows x m (ldr), G is rows x n (ldg), C is m x n (ldc).
// Each entry's row sum is formed per lane and the lanes are then added
// (a different order from a sequential sum).
inline void tall_inner_product(Index rows, Index m, Index n, const double* R, Index ldr, const double* G,
                               Index ldg, double* C, Index ldc) {
  constexpr int S = detail::kReduceRows, J = detail::kReduceCols;
  const Index tiles = (n + J - 1) / J;
  Index j0 = 0;
  for (Index t = 0; t < tiles; ++t) {
    const int width = int((n - j0) / (tiles - t));
    Index a = 0;
    for (; a + S <= m; a += S) detail::reduce_dispatch<S>(width, rows, a, j0, R, ldr, G, ldg, C, ldc);
    for (; a < m; ++a) detail::reduce_dispatch<1>(width, rows, a, j0, R, ldr, G, ldg, C, ldc);
    j0 += width;
  }
}

}  // namespace barriers::lista_kernels
