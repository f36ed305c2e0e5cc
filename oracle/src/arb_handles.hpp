// RAII owners for the Arb/FLINT objects the oracle uses internally.
#pragma once

#include <acb.h>
#include <acb_mat.h>
#include <arb.h>
#include <flint/fmpq.h>

#include "barriers/precision/types.hpp"

namespace barriers::oracle::detail {

struct AcbMat {
  acb_mat_t m;
  AcbMat(slong r, slong c) { acb_mat_init(m, r, c); }
  ~AcbMat() { acb_mat_clear(m); }
  AcbMat(const AcbMat&) = delete;
  AcbMat& operator=(const AcbMat&) = delete;
  acb_ptr at(slong i, slong j) { return acb_mat_entry(m, i, j); }
};

struct Acb {
  acb_t v;
  Acb() { acb_init(v); }
  ~Acb() { acb_clear(v); }
  Acb(const Acb&) = delete;
  Acb& operator=(const Acb&) = delete;
};

struct Fmpq {
  fmpq_t v;
  Fmpq() { fmpq_init(v); }
  explicit Fmpq(const rational& q) {
    fmpq_init(v);
    fmpq_set_mpq(v, q.backend().data());
  }
  ~Fmpq() { fmpq_clear(v); }
  Fmpq(const Fmpq&) = delete;
  Fmpq& operator=(const Fmpq&) = delete;
  rational get() const {
    rational q;
    fmpq_get_mpq(q.backend().data(), v);
    return q;
  }
};

}  // namespace barriers::oracle::detail
