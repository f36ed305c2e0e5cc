"""The solvers from Python: double, complex double and MPFR; settings as keywords; errors as ValueError."""
import math
import re

import numpy as np
import pytest

import barriers


def gaussian_problem(rows=20, cols=40, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((rows, cols)) / np.sqrt(rows)
    x = np.zeros(cols)
    x[[3, 17]] = [1.0, -2.0]
    return A, x, A @ x


def test_basis_pursuit_solvers_recover_the_sparse_vector():
    # Noiseless, 2-sparse, 20 Gaussian measurements of 40 unknowns: x is the
    # unique minimiser of (P1) with eta = 0 and of (P3) for small lam (the
    # sqrt-LASSO residual term vanishes at x), so the converged outputs are x.
    A, x, y = gaussian_problem()
    runs = {
        "warpd": barriers.warpd(A, y, eps=0.0, C1=4.0, C2=4.0, restarts=60),
        "warpd_sr": barriers.warpd_sr(A, y, lam=0.05, C1=4.0, restarts=60),
        "pdhg_p1": barriers.pdhg(A, y, problem="p1", eta=0.0, max_iterations=20000),
    }
    for name, r in runs.items():
        assert r["type"] == "double"
        assert r["x"].shape == (40,)
        # WARPd/WARPdSR converge linearly (restarts); PDHG's ergodic average at
        # O(1/k): 1e-3 relative after 20000 steps is what O(1/k) allows here.
        tol = 1e-3 if name.startswith("pdhg") else 1e-6
        assert np.linalg.norm(r["x"] - x) < tol * np.linalg.norm(x), name


def lasso_kkt_violation(A, y, x, lam):
    """max violation of 0 in 2 A^T (A x - y) + lam d||x||_1 (the LASSO optimality condition)."""
    g = 2 * A.T @ (A @ x - y)
    on = np.abs(x) > 1e-12
    return max(np.max(np.abs(g[on] + lam * np.sign(x[on])), initial=0), np.max(np.abs(g[~on]) - lam, initial=0))


def test_lasso_solvers_reach_the_optimality_conditions():
    A, _, y = gaussian_problem()
    lam = 0.1
    for fn in (barriers.fista, barriers.ista):
        r = fn(A, y, lam=lam, max_iterations=20000)
        # exact after convergence up to rounding
        assert lasso_kkt_violation(A, y, r["x"], lam) < 1e-8, fn.__name__
        assert r["objective"] == pytest.approx(lam * np.abs(r["x"]).sum() + np.sum((A @ r["x"] - y) ** 2), rel=1e-12)


def test_pdhg_ergodic_average_meets_the_chambolle_pock_bound():
    # PDHG's output is the ergodic average of its iterates. The KKT test above
    # does not apply to it: the average keeps O(1/N) entries where the
    # minimiser is 0, and there the sign-based violation is O(lam) for every N.
    # What the theory bounds is the objective (Chambolle & Pock 2011, Thm 1;
    # x0 = 0, z0 = 0, tau sigma ||A||^2 < 1): for every (x, w),
    #   L(xbar_N, w) - L(x, zbar_N) <= (||x||^2/tau + ||w||^2/sigma) / N,
    # the cross term -<A x, w> of the proof bounded by Young's inequality.
    # With x = x* and w = grad f(A xbar_N) = 2 (A xbar_N - y) the left side is
    # at least P(xbar_N) - P(x*) >= P(xbar_N) - P(x_fista).
    A, _, y = gaussian_problem()
    lam, N = 0.1, 20000
    x_star = barriers.fista(A, y, lam=lam, max_iterations=N)
    assert lasso_kkt_violation(A, y, x_star["x"], lam) < 1e-8
    tau = sigma = 0.99 / np.linalg.norm(A, 2)  # given explicitly: the bound needs them
    r = barriers.pdhg(A, y, problem="p2", lam=lam, max_iterations=N, tau=tau, sigma=sigma)
    assert r["iterations"] == N and r["reason"] == "max-iterations"
    assert r["objective"] == pytest.approx(lam * np.abs(r["x"]).sum() + np.sum((A @ r["x"] - y) ** 2), rel=1e-12)
    w = 2 * (A @ r["x"] - y)
    bound = (x_star["x"] @ x_star["x"] / tau + w @ w / sigma) / N
    assert 0 <= r["objective"] - x_star["objective"] + 1e-12 and r["objective"] - x_star["objective"] <= bound
    # The last iterate converges to a minimiser (Thm 1(c)), R-linearly for a
    # piecewise linear-quadratic problem like the LASSO: after N steps it meets
    # the KKT conditions to rounding, like FISTA.
    last = barriers.pdhg(A, y, problem="p2", lam=lam, max_iterations=N, ergodic=False)
    assert lasso_kkt_violation(A, y, last["x"], lam) < 1e-8


def test_complex_arrays_run_in_complex_double():
    A, x, _ = gaussian_problem(seed=1)
    Ac = A * np.exp(1j * 0.3)  # a unit phase: the same problem, rotated
    yc = Ac @ x
    r = barriers.firenet(Ac, yc, lam=0.05, restarts=40, inner=40)
    assert r["type"] == "complex-double" and r["x"].dtype == np.complex128
    assert np.linalg.norm(r["x"] - x) < 1e-6 * np.linalg.norm(x)
    # firenet_complex is the same function
    rc = barriers.firenet_complex(Ac, yc, lam=0.05, restarts=40, inner=40)
    assert np.array_equal(rc["x"], r["x"])


@pytest.mark.parametrize("name,kw", [
    ("firenet", dict(lam="0.1", restarts=20, inner=20)),
    ("warpd", dict(eps="0", C1=2, C2=2, restarts=10)),
    ("warpd_sr", dict(lam="0.1", C1=2, restarts=10)),
    ("fista", dict(lam="0.1", max_iterations=400)),
    ("ista", dict(lam="0.1", max_iterations=400)),
    ("pdhg", dict(problem="p3", lam="0.1", max_iterations=400)),
])
def test_mpfr_runs_the_same_iteration_as_double(name, kw):
    A = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.25]])
    y = np.array([1.0, 0.0])
    fn = getattr(barriers, name)
    d = fn(A, y, **kw)
    m = fn([[str(v) for v in row] for row in A], [str(v) for v in y], bits=200, **kw)
    assert m["bits"] == 200 and m["working_bits"] >= 200 and m["type"].startswith("mpfr(")
    assert all(isinstance(v, str) for v in m["x"])
    # The same iteration in 200 bits: the steps are non-expansive, so double's
    # rounding (about 1e-16 per step, at most a few hundred steps on a 2x3
    # problem) moves the iterate by well under 1e-11.
    assert np.allclose([float(v) for v in m["x"]], d["x"], rtol=0, atol=1e-11)
    assert float(m["objective"]) == pytest.approx(d["objective"], abs=1e-11)


def test_mpfr_reads_fractions_and_decimal_strings_exactly():
    from fractions import Fraction
    # A = [1/3], y = [1/3]: FISTA on a 1x1 LASSO; 1/3 is read exactly and
    # rounded once to 300 bits, so no double enters the computation.
    r = barriers.fista([[Fraction(1, 3)]], [Fraction(1, 3)], lam="1/100", max_iterations=2000, bits=300)
    # minimiser of lam |x| + (x/3 - 1/3)^2: x = 1 - 9 lam / 2 = 0.955
    assert abs(Fraction(r["x"][0]) - Fraction(955, 1000)) < Fraction(1, 10**60)


def test_history_records_every_kth_iteration_with_errors():
    A, x, y = gaussian_problem()
    r = barriers.firenet(A, y, lam=0.05, restarts=10, inner=20, reference=x, history_every=20)
    h = r["history"]
    assert [row["iteration"] for row in h] == list(range(20, 201, 20))
    assert all(row["error"] is not None for row in h)
    assert h[-1]["error"] < h[0]["error"]
    assert "history" not in barriers.firenet(A, y, lam=0.05)


def test_bad_input_raises_value_error_never_crashes():
    A, _, y = gaussian_problem()
    cases = [
        (lambda: barriers.fista(A, y[:-1]), "y has 19 entries"),
        (lambda: barriers.pdhg(A[0], y), "A must be a 2-D array"),  # not read as a 40x1 column
        (lambda: barriers.pdhg([1.0, 2.0], y), "A must be a 2-D array"),
        (lambda: barriers.warpd(np.ones((2, 2, 2)), y), "A must be a 2-D array (rows x columns), got 3-D"),
        (lambda: barriers.warpd(np.eye(2), np.ones((2, 2, 2))), "y must be a 1-D or 2-D array, got 3-D"),
        (lambda: barriers.firenet(np.full((2, 2), np.nan), [1.0, 1.0]), "NaN"),
        (lambda: barriers.firenet(np.eye(2), [1.0, math.inf]), "finite"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], bits=-5), "bits must be in 2.."),
        (lambda: barriers.firenet_mpfr([["1"]], ["1"], bits=0), "bits must be in 2.."),
        (lambda: barriers.fista(np.eye(2), [1.0, 1.0], lam=-1.0), "lambda"),
        (lambda: barriers.fista(np.eye(2), [1.0, 1.0], weights=[1.0]), "weights"),
        (lambda: barriers.pdhg(np.eye(2), [1.0, 1.0], problem="p4"), "problem must be p1, p2 or p3"),
        (lambda: barriers.firenet([["1", "x"]], ["1"], bits=64), "A[0][1]"),
        (lambda: barriers.firenet([[1.0, 2.0], [3.0]], [1.0, 1.0]), "A[1] is not a row of 2"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], history_every=-1), "history_every"),
        (lambda: barriers.firenet(np.eye(2) * 1j, [1.0, 1.0], bits=64), "complex data"),
        (lambda: barriers.firenet(np.array([["a"]]), ["1"]), "A[0][0]"),
        (lambda: barriers.firenet(np.zeros((0, 3)), []), "empty"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], weights=[1.0, np.nan]), "weights[1] is not finite"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], weights=[1.0, -1.0]), "weight 1 is -1"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], lam=np.nan), "lambda is nan"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], lam="abc"), "lam: 'abc' is not a rational number"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], restarts=0), "restarts is 0"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], reference=[1.0, 2.0, 3.0]), "reference has 3 entries"),
        (lambda: barriers.firenet(np.eye(2), [1.0, 1.0], tau=10.0, sigma=10.0), "tau * sigma * L^2 is 100;"),
        (lambda: barriers.warpd(np.eye(2), [1.0, 1.0], nu=1.5), "nu is 1.5"),
        (lambda: barriers.warpd(np.eye(2), [1.0, 1.0], eps=-1), "eps is -1"),
        (lambda: barriers.warpd(np.eye(2), [1.0, 1.0], x0=[1.0]), "x0 has 1 entries"),
        (lambda: barriers.warpd_sr(np.eye(2), [1.0, 1.0], x0=[[1.0, 2.0]]), "x0 must be a vector"),
        (lambda: barriers.fista(np.eye(2), [1.0, 1.0], tolerance=-1), "tolerance is -1"),
        (lambda: barriers.ista(np.eye(2), [1.0, 1.0], max_iterations=0), "max_iterations is 0"),
        (lambda: barriers.pdhg(np.eye(2), [1.0, 1.0], problem="p1", eta=-1), "eta is -1"),
        (lambda: barriers.pdhg(np.zeros((2, 2)), [1.0, 1.0]), "norm bound L is 0"),
        (lambda: barriers.pdhg(np.eye(2), [1.0, 1.0], bits=10**9), "bits must be in 2.."),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()


def test_mpfr_reads_mpmath_numbers_exactly():
    mpmath = pytest.importorskip("mpmath")
    from fractions import Fraction
    with mpmath.workprec(200):
        c = mpmath.mpf(1) + mpmath.mpf(2) ** -150  # not a double: 1 + 2^-150 exactly
    # min lam |x| + (x - c)^2 with lam = 1/2: x = c - 1/4. Read through a
    # double, c would be 1 and x exactly 3/4.
    r = barriers.fista([[1]], [c], lam="1/2", max_iterations=200, bits=300)
    assert abs(Fraction(r["x"][0]) - (Fraction(3, 4) + Fraction(1, 2**150))) < Fraction(1, 2**250)
