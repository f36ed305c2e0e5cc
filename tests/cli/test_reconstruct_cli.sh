#!/usr/bin/env bash
# End-to-end checks of `barriers reconstruct` on small images (16x16 and
# 32x32): every type and solver, the outputs, reproducibility for a seed,
# and refused input. Usage: test_reconstruct_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

complete_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
  [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "49454e44ae426082" ]; }

# run NAME args...: one reconstruction into $tmp/NAME; checks every output.
run() {
  local name="$1"; shift
  if ! "$bin" reconstruct --out "$tmp/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
    bad "reconstruct $* failed: $(cat "$tmp/$name.err")"; return
  fi
  local d="$tmp/$name" f
  for f in reconstruction.png error.png truth.png mask.png convergence.png; do
    complete_png "$d/$f" && ok || bad "$name: $f is not a complete PNG"
  done
  [ ! -e "$d/INCOMPLETE" ] && ok || bad "$name: INCOMPLETE left behind"
  head -1 "$d/history.csv" | grep -qx "iteration,relative_error,objective,gap_bound,feasibility_gap" && ok ||
    bad "$name: history.csv header"
  local iters rows samples
  iters=$(sed -n 's/^iterations = //p' "$d/summary.txt")
  rows=$(($(wc -l <"$d/history.csv") - 1))
  [ -n "$iters" ] && [ "$rows" -eq "$iters" ] && ok || bad "$name: $rows history rows for $iters iterations"
  samples=$(sed -n 's/^samples = //p' "$d/summary.txt")
  [ "$(wc -l <"$d/samples.txt")" = "$samples" ] && ok || bad "$name: samples.txt does not hold $samples indices"
  python3 - "$d/summary.json" "$d/summary.txt" <<'PY' && ok || bad "$name: summary.json does not match summary.txt"
import json, sys
j = json.load(open(sys.argv[1]))
t = dict(line.rstrip("\n").split(" = ", 1) for line in open(sys.argv[2]))
assert j == t, (j, t)
for k in ("relative_error", "psnr_db", "ssim", "iterations", "type", "bits", "seed", "solver", "sampling"):
    assert k in j, k
assert 0 <= float(j["relative_error"]) < 1.5
PY
}

# Every type (Fourier: complex arithmetic), MPFR at 128 bits on 16x16.
run d --size 16 --restarts 3 --inner 5
run ld --size 16 --type long-double --restarts 3 --inner 5
run q --size 16 --type float128 --restarts 3 --inner 5
run m --size 16 --type mpfr --bits 128 --restarts 3 --inner 5
grep -qx "bits = 128" "$tmp/m/summary.txt" && grep -q "^type = complex-mpfr" "$tmp/m/summary.txt" && ok ||
  bad "mpfr run does not report its type and bits"
# MPFR at 64 x 64, Fourier (complex) and Walsh (real).
run m64 --size 64 --type mpfr --bits 128 --restarts 2 --inner 5
run m64w --size 64 --type mpfr --bits 128 --restarts 2 --inner 5 --sampling walsh
grep -qx "type = mpfr(128 bits)" "$tmp/m64w/summary.txt" && grep -qx "rows = 64" "$tmp/m64w/summary.txt" && ok ||
  bad "the 64x64 Walsh MPFR run does not report its type and size"
# Walsh in real arithmetic, every solver, other patterns and images.
run w --size 32 --sampling walsh --type double --restarts 3 --inner 5 --image ellipses
grep -qx "type = double" "$tmp/w/summary.txt" && ok || bad "walsh should run in real double"
run fista --size 32 --solver fista --iters 30 --pattern power
run pdhg --size 32 --solver pdhg --iters 30 --pattern uniform --weights none
run warpd --size 32 --solver warpd --restarts 4 --pattern radial --image text-detail
run wsr --size 32 --solver warpd-sr --restarts 4 --inner 5 --pattern half-half --wavelet haar --levels 2

# WARPd on the image with TV, TGV and wavelet-analysis regularisers, and the
# non-restarted primal-dual baseline.
run tv --size 32 --solver warpd --regulariser tv --restarts 3
run tgv --size 16 --solver warpd --regulariser tgv --restarts 3 --sampling walsh --type float128
run an --size 32 --solver warpd --regulariser analysis --restarts 3
run base --size 32 --solver pdhg --regulariser tv --iters 40
grep -qx "regulariser = tgv" "$tmp/tgv/summary.txt" && ok || bad "tgv run does not report its regulariser"

# --baseline: WARPd's restarts against the same steps without restarts. The
# baseline is what WARPd does with --restarts 1 --inner R x P, so its error
# must equal that run's to the last digit, on the image (tv) and on the
# wavelet coefficients (l1).
value() { sed -n "s/^$1 = //p" "$2/summary.txt"; }
for reg in tv l1; do
  run "b$reg" --size 32 --solver warpd --regulariser "$reg" --restarts 4 --inner 25 --baseline
  run "one$reg" --size 32 --solver warpd --regulariser "$reg" --restarts 1 --inner 100
  d="$tmp/b$reg"
  complete_png "$d/baseline.png" && ok || bad "b$reg: baseline.png is not a complete PNG"
  [ "$(value baseline_iterations "$d")" = 100 ] &&
    [ "$(($(wc -l <"$d/baseline_history.csv") - 1))" = 100 ] && ok || bad "b$reg: baseline should run 100 steps"
  grep -q "baseline_history.csv" "$d/convergence.gp" && ok || bad "b$reg: the baseline is not on convergence.png"
  [ -n "$(value baseline_relative_error "$d")" ] &&
    [ "$(value baseline_relative_error "$d")" = "$(value relative_error "$tmp/one$reg")" ] && ok ||
    bad "b$reg: baseline error $(value baseline_relative_error "$d") is not that of --restarts 1 --inner 100 ($(value relative_error "$tmp/one$reg"))"
done
# The published example (docs/solvers.md) at 64 x 64: power-law 15% Fourier
# samples, 5% noise, TV, C2 = 10, 10 x 100 steps; the restarts must beat the
# same 1000 steps without them (measured 0.365 against 0.441).
run pub --size 64 --solver warpd --regulariser tv --pattern power --rate 0.15 --noise 0.05 --C2 10 \
  --restarts 10 --inner 100 --baseline
python3 -c "import sys; sys.exit(0 if float('$(value relative_error "$tmp/pub")') < 0.95 * float('$(value baseline_relative_error "$tmp/pub")') else 1)" \
  && ok || bad "WARPd ($(value relative_error "$tmp/pub")) should beat its baseline ($(value baseline_relative_error "$tmp/pub"))"

# --grid: every (C1, C2) of the 3 x 3 grid in 2 rounds (budgets 50 and 100);
# the chosen row is the first with the smallest criterion; the output is the
# chosen run's, i.e. the same as running those constants directly.
run grid --size 32 --solver warpd --regulariser tv --restarts 2 --inner 25 --grid 1 --grid-rounds 2 --baseline
g="$tmp/grid/grid.csv"
python3 - "$g" "$tmp/grid/summary.txt" <<'PY' && ok || bad "grid.csv or the summary's constants are wrong: $(cat "$g")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = dict(line.rstrip("\n").split(" = ", 1) for line in open(sys.argv[2]))
assert len(rows) == 18, len(rows)
assert sorted({(r["round"], r["budget"]) for r in rows}) == [("1", "50"), ("2", "100")]
assert {float(r["C1"]) for r in rows} == {0.25, 1, 4} and {float(r["C2"]) for r in rows} == {0.25, 1, 4}
chosen = [r for r in rows if r["chosen"] == "yes"]
assert len(chosen) == 1
best = min(rows, key=lambda r: float(r["criterion"]))  # min keeps the first of equals
assert best is chosen[0], (best, chosen)
assert float(t["C1"]) == float(best["C1"]) and float(t["C2"]) == float(best["C2"])
assert t["restarts"] == best["restarts"] and t["inner"] == best["inner"] and t["grid_runs"] == "18"
assert int(t["grid_iterations"]) == sum(int(r["iterations"]) for r in rows)
PY
c1=$(value C1 "$tmp/grid"); c2=$(value C2 "$tmp/grid")
run direct --size 32 --solver warpd --regulariser tv --C1 "$c1" --C2 "$c2" --restarts "$(value restarts "$tmp/grid")" \
  --inner "$(value inner "$tmp/grid")"
[ "$(value relative_error "$tmp/grid")" = "$(value relative_error "$tmp/direct")" ] &&
  cmp -s "$tmp/grid/history.csv" "$tmp/direct/history.csv" && ok ||
  bad "the grid's output is not that of its chosen constants C1 = $c1, C2 = $c2"

# More iterations of FIRENET lower the error on the same problem (the run is
# a real solver, not a stand-in; measured 0.43 after 5 steps, 0.26 after 240).
run long --size 32 --rate 0.6 --restarts 12 --inner 20 --noise 0
e_short=$("$bin" reconstruct --out "$tmp/short" --size 32 --rate 0.6 --restarts 1 --inner 5 --noise 0 2>/dev/null |
  sed -n 's/.*relative error \([^,]*\),.*/\1/p')
e_long=$(sed -n 's/^relative_error = //p' "$tmp/long/summary.txt")
python3 -c "import sys; sys.exit(0 if float('$e_long') < 0.75 * float('$e_short') else 1)" && ok ||
  bad "240 FIRENET steps ($e_long) should cut the error of 5 steps ($e_short) by a quarter"

# Same seed: byte-identical outputs apart from the timing line; another seed: another pattern.
run d2 --size 16 --restarts 3 --inner 5
for f in history.csv samples.txt mask.png reconstruction.png; do
  cmp -s "$tmp/d/$f" "$tmp/d2/$f" && ok || bad "$f differs between two runs with the same seed"
done
for f in summary.txt summary.json; do
  cmp -s <(grep -v seconds "$tmp/d/$f") <(grep -v seconds "$tmp/d2/$f") && ok || bad "$f differs between two runs"
done
run d3 --size 16 --restarts 3 --inner 5 --seed 2
cmp -s "$tmp/d/samples.txt" "$tmp/d3/samples.txt" && bad "seeds 1 and 2 drew the same pattern" || ok

# A PGM file at its own size.
printf 'P2\n16 16\n255\n' >"$tmp/img.pgm"
for i in $(seq 1 256); do echo $(((i * 37) % 256)); done >>"$tmp/img.pgm"
run file --image "$tmp/img.pgm" --restarts 2 --inner 5
grep -qx "rows = 16" "$tmp/file/summary.txt" && ok || bad "file image not used at its size"

# Refused input: one line, exit 2, nothing written.
printf 'not an image\n' >"$tmp/text.png"
printf 'P2\n24 24\n255\n' >"$tmp/odd.pgm"
for i in $(seq 1 576); do echo 7; done >>"$tmp/odd.pgm"
o="$tmp/refused"
expect_rejected 2 "divisible" reconstruct --out "$o" --size 24 --levels 4
expect_rejected 2 "divisible" reconstruct --out "$o" --size 15
expect_rejected 2 "--rate" reconstruct --out "$o" --size 16 --rate 0
expect_rejected 2 "--rate" reconstruct --out "$o" --size 16 --rate 1.5
expect_rejected 2 "--rate" reconstruct --out "$o" --size 16 --rate nan
expect_rejected 2 "--noise" reconstruct --out "$o" --size 16 --noise nan
expect_rejected 2 "--noise" reconstruct --out "$o" --size 16 --noise -1
expect_rejected 2 "db99" reconstruct --out "$o" --size 16 --wavelet db99
expect_rejected 2 "spiral" reconstruct --out "$o" --size 16 --pattern spiral
expect_rejected 2 "radon" reconstruct --out "$o" --size 16 --sampling radon
expect_rejected 2 "lista" reconstruct --out "$o" --size 16 --solver lista
expect_rejected 2 "half" reconstruct --out "$o" --size 16 --type half
expect_rejected 2 "power of two|powers of two" reconstruct --out "$o" --image "$tmp/odd.pgm" --levels 3 --sampling walsh
expect_rejected 2 "$tmp/nonexistent" reconstruct --out "$o" --image "$tmp/nonexistent"
expect_rejected 2 "text.png" reconstruct --out "$o" --image "$tmp/text.png"
expect_rejected 2 "--size" reconstruct --out "$o" --image "$tmp/img.pgm" --size 16
expect_rejected 2 "--iters" reconstruct --out "$o" --size 16 --iters 10
expect_rejected 2 "--bits" reconstruct --out "$o" --size 16 --bits 64
expect_rejected 2 "first level" reconstruct --out "$o" --size 32 --rate 0.01 --das-levels 1
expect_rejected 2 "GB" reconstruct --out "$o" --size 32768
expect_rejected 2 "GB" reconstruct --out "$o" --size 8192 --type mpfr --bits 60000
expect_rejected 2 "--regulariser" reconstruct --out "$o" --size 16 --regulariser tv
expect_rejected 2 "curvelet" reconstruct --out "$o" --size 16 --solver warpd --regulariser curvelet
expect_rejected 2 "--weights" reconstruct --out "$o" --size 16 --solver warpd --regulariser tv --weights none
expect_rejected 2 "--grid" reconstruct --out "$o" --size 16 --grid 1
expect_rejected 2 "--grid" reconstruct --out "$o" --size 16 --solver warpd --grid 11
expect_rejected 2 "--grid-ratio" reconstruct --out "$o" --size 16 --solver warpd --grid 1 --grid-ratio 1
expect_rejected 2 "--grid-ratio" reconstruct --out "$o" --size 16 --solver warpd --grid-ratio 2
expect_rejected 2 "--grid-kappa" reconstruct --out "$o" --size 16 --solver warpd --grid 1 --grid-kappa -1
expect_rejected 2 "--inner" reconstruct --out "$o" --size 16 --solver warpd --grid 1 --inner 0
expect_rejected 2 "--baseline" reconstruct --out "$o" --size 16 --solver fista --baseline
no_final_files "$o"

finish
