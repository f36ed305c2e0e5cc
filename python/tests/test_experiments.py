"""Table 1 and sweeps from Python: objects with exact certified bounds, and records of plain numbers."""
from fractions import Fraction

import pytest

import barriers

# A fast Table 1 profile (seconds): LISTA barely trains, which does not
# matter for what is checked here (the certified distances' consistency).
FAST = dict(train_samples=40, validation_samples=10, epochs=3, firenet_restarts=5, firenet_inner=10)


def test_table1_cells_are_certified_and_consistent():
    result = barriers.table1(cells=[(1, 10), (3, 20)], **FAST)
    assert [(r.K, r.n) for r in result.rows] == [(1, 10), (3, 20)]
    for row in result.rows:
        assert row.ten_to_minus_K == Fraction(1, 10**row.K)
        for d in (row.lista_dist, row.firenet_dist, row.lista_dist_j2, row.firenet_dist_j2, row.separation):
            assert isinstance(d.lo, Fraction) and 0 <= d.lo <= d.hi
            # the float bounds still enclose the exact ones
            assert Fraction(d.lo_float) <= d.lo and d.hi <= Fraction(d.hi_float)
        # Triangle inequality between certified enclosures: an output's two
        # distances (to x^1 and x^2) add up to at least ||x^1 - x^2||.
        for d1, d2 in ((row.lista_dist, row.lista_dist_j2), (row.firenet_dist, row.firenet_dist_j2)):
            assert d1.hi + d2.hi >= row.separation.lo
    records = result.records()
    assert len(records) == 2
    rec = records[0]
    assert rec["K"] == 1 and rec["n"] == 10
    assert rec["firenet_dist_lo"] == result.rows[0].firenet_dist.lo_float
    assert rec["published_firenet"] is not None  # (1, 10) is a published cell
    assert set(rec) >= {"lista_dist_lo", "lista_dist_hi", "separation_lo", "both_above", "working_type"}


def test_table1_does_not_depend_on_threads():
    one = barriers.table1(cells=[(1, 10), (1, 20)], threads=1, **FAST).records()
    two = barriers.table1(cells=[(1, 10), (1, 20)], threads=2, **FAST).records()
    strip = lambda recs: [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in recs]
    assert strip(one) == strip(two)


def test_sweep_points_and_records():
    result = barriers.sweep(rows=10, cols=20, sparsity=2, ns=[10, 40], bits=[53, 113], iterations=[200], inner=50)
    assert [(p.n, p.bits) for p in result.points] == [(10, 53), (10, 113), (40, 53), (40, 113)]
    for p in result.points:
        assert p.finite and 0 <= p.error.lo <= p.error.hi
    recs = result.records()
    assert [r["n"] for r in recs] == [10, 10, 40, 40]
    assert all(r["error_lo"] <= r["error_hi"] for r in recs)
    assert isinstance(result.reference_certified, bool) and result.reference_explanation


def test_bad_experiment_settings_raise_value_error():
    with pytest.raises(ValueError, match="K must be in"):
        barriers.table1(cells=[(0, 10)])
    with pytest.raises(ValueError, match="not both"):
        barriers.table1(cells=[(1, 10)], Ks=[1])
    with pytest.raises(ValueError, match="epochs"):
        barriers.table1(cells=[(1, 10)], epochs=-1)
    with pytest.raises(ValueError, match="half"):
        barriers.table1(cells=[(1, 10)], type="half")
    with pytest.raises(ValueError, match="bits must be in"):
        barriers.sweep(bits=[-3])
    with pytest.raises(ValueError, match="instance"):
        barriers.sweep(instance="other")
    with pytest.raises(ValueError, match="bits must be in 2..1048576, got -5"):
        barriers.table1(cells=[(1, 10)], type="mpfr", bits=-5)
    with pytest.raises(ValueError, match="unknown learning-rate rule 'x'"):
        barriers.table1(cells=[(1, 10)], lista_rate="x")
    with pytest.raises(ValueError, match="unknown solver 'foo': allowed are firenet, pdhg"):
        barriers.sweep(solver="foo")
    with pytest.raises(ValueError, match="sparsity 500 is out of range"):
        barriers.sweep(rows=10, cols=20, sparsity=500)
    with pytest.raises(ValueError, match="lambda = -1 must be positive"):
        barriers.sweep(lam="-1")
    with pytest.raises(ValueError, match="unknown problem 'p9'"):
        barriers.sweep(instance="family", problem="p9")
