"""Tests of the Python module `barriers` (run by CTest: python/test_module)."""
import re
from fractions import Fraction

import numpy as np
import pytest

import barriers


def test_oracle_answers_are_exact_dyadics_within_the_bound():
    member = barriers.family_member(1, K=1, n=10)
    A, y = member.query(12)
    assert (A.n, y.n) == (12, 12)
    rows = A.fractions
    assert len(rows) == member.rows and len(rows[0]) == member.cols
    for row in rows:
        for q in row:
            assert isinstance(q, Fraction)
            # a dyadic rational: the denominator is a power of two
            assert q.denominator & (q.denominator - 1) == 0
    assert isinstance(A.bound, Fraction) and A.bound <= Fraction(1, 2**12)
    assert A.bound_met
    # the numpy view is the nearest double of each exact entry
    arr = A.array
    assert arr.shape == (member.rows, member.cols)
    assert all(arr[i, j] == float(rows[i][j]) for i in range(member.rows) for j in range(member.cols))


def test_the_two_members_answers_are_close_at_their_precision():
    # The members' exact data agree to 2^-n (n = 10 here) and each answer is
    # within its certified bound of its member's data, so in exact arithmetic
    # ||A_1 - A_2||_F <= 2^-10 + bound_1 + bound_2.
    a1, _ = barriers.family_member(1, K=1, n=10).query(12)
    a2, _ = barriers.family_member(2, K=1, n=10).query(12)
    diff2 = sum((p - q) ** 2 for r1, r2 in zip(a1.fractions, a2.fractions) for p, q in zip(r1, r2))
    limit = Fraction(1, 2**10) + a1.bound + a2.bound
    assert 0 < diff2 <= limit**2


def test_verify_certifies_the_family():
    report = barriers.verify(K=1, n=10)
    assert report["all_pass"]
    names = [c["name"] for c in report["checks"]]
    assert len(names) == len(set(names)) > 0
    assert all(c["decision"] == "yes" for c in report["checks"])


def test_bad_input_raises_value_error_with_the_message():
    with pytest.raises(ValueError, match="delta"):
        barriers.family_member(1, delta="1/2")
    with pytest.raises(ValueError, match="j must be 1 or 2"):
        barriers.family_member(3)
    with pytest.raises(ValueError, match="y has 3 entries but A has 2 rows"):
        barriers.firenet(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="A must be a 2-D array"):
        barriers.firenet(np.ones(3), np.ones(3))
    # unknown names and out-of-range numbers get the command line's messages
    for call, message in (
            (lambda: barriers.verify(problem="p9"), "unknown problem 'p9': allowed are p1"),
            (lambda: barriers.verify(K=0), "K = 0 is out of range: allowed 1..100"),
            (lambda: barriers.verify(n=-1), "n = -1 is out of range"),
            (lambda: barriers.verify(delta="1/6"), "delta does not apply to verify"),
            (lambda: barriers.family_member(1, delta="abc"), "'abc' is not a rational number"),
            (lambda: barriers.verify(N1=0), "N1 = 0 is too small"),
            (lambda: barriers.family_member(1, n=-5), "n = -5 is out of range"),
            (lambda: barriers.family_member(1).query(-1), "n must be in 0..100000, got -1"),
            (lambda: barriers.family_member(1).query(10, policy="foo"), "unknown answer policy 'foo'")):
        with pytest.raises(ValueError, match=re.escape(message)):
            call()


def test_firenet_on_numpy_recovers_a_sparse_vector():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((20, 40)) / np.sqrt(20)
    x = np.zeros(40)
    x[[3, 17]] = [1.0, -2.0]
    r = barriers.firenet(A, A @ x, lam=0.05, restarts=40, inner=40)
    assert r["x"].shape == (40,)
    # noiseless, exactly sparse, well-conditioned: the restarts converge to x
    # well below the data scale (the minimiser of the square-root LASSO with
    # lambda 0.05 is x itself here: A x = y makes the residual term vanish)
    assert np.linalg.norm(r["x"] - x) < 1e-6 * np.linalg.norm(x)


def test_firenet_complex_and_mpfr_agree_with_double():
    A = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.25]])
    y = np.array([1.0, 0.0])
    d = barriers.firenet(A, y, lam=0.1, restarts=20, inner=20)["x"]
    c = barriers.firenet_complex(A.astype(complex), y.astype(complex), lam=0.1, restarts=20, inner=20)["x"]
    assert np.allclose(c.real, d, atol=1e-12) and np.allclose(c.imag, 0, atol=1e-12)
    m = barriers.firenet_mpfr([[str(v) for v in row] for row in A], [str(v) for v in y], bits=128, lam="0.1",
                              restarts=20, inner=20)
    assert m["bits"] == 128 and len(m["x"]) == 3
    # the same iteration in 128 bits: agrees with double to about double's
    # rounding of the iterates (a few hundred steps, contractive)
    assert np.allclose([float(v) for v in m["x"]], d, atol=1e-12)
