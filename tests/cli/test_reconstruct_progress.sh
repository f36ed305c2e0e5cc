#!/usr/bin/env bash
# `barriers reconstruct`: progress lines on stderr and --quiet; the
# convergence plot's script (title, legend, single points, narrow y range).
# Usage: test_reconstruct_progress.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# Progress: stderr is a file here, so iteration lines come at most every 5 s
# after the first; 2000 observed iterations on 16x16 take well under a second
# of solver time, so no more than 1 + seconds / 5 iteration lines may appear,
# not one per iteration.
"$bin" reconstruct --out "$tmp/p" --size 16 --restarts 50 --inner 40 >"$tmp/p.out" 2>"$tmp/p.err" ||
  bad "reconstruct with progress failed: $(cat "$tmp/p.err")"
grep -qE '^\[[0-9.]+s\] built the 16x16 problem in complex-double \(38 samples\); running firenet$' "$tmp/p.err" && ok ||
  bad "no 'built the problem' line: $(cat "$tmp/p.err")"
grep -qE '^\[[0-9.]+s\] firenet: iteration 1 of 2000, restart 1, relative error 1, objective [0-9.e+-]+$' \
  "$tmp/p.err" && ok || bad "no progress line for iteration 1: $(cat "$tmp/p.err")"
grep -qE '^\[[0-9.]+s\] firenet stopped after 2000 iterations; computing the quality, the duality gap and the outputs$' \
  "$tmp/p.err" && ok || bad "no line after the solver: $(cat "$tmp/p.err")"
lines=$(grep -c 'firenet: iteration' "$tmp/p.err")
seconds=$(sed -n 's/^seconds = //p' "$tmp/p/summary.txt")
python3 -c "import sys; sys.exit(0 if 1 <= $lines <= 1 + float('$seconds') / 5 else 1)" && ok ||
  bad "$lines iteration lines in $seconds s: not throttled"
grep -qx "wrote reconstruction.png, .*, summary.json in '$tmp/p'" "$tmp/p.err" && ok || bad "no 'wrote' line: $(cat "$tmp/p.err")"
# The progress of fista counts its --iters, with the time left (none at
# iteration 1 of 2000 above: too early to tell); warpd's automatic --inner has no planned total.
"$bin" reconstruct --out "$tmp/f" --size 16 --solver fista --iters 30 >/dev/null 2>"$tmp/f.err" || bad "fista failed"
grep -qE '^\[[0-9.]+s\] fista: iteration 1 of 30, relative error .*, about [0-9.]+s left$' "$tmp/f.err" && ok || bad "fista progress: $(cat "$tmp/f.err")"
"$bin" reconstruct --out "$tmp/w" --size 16 --solver warpd --restarts 2 --inner 0 >/dev/null 2>"$tmp/w.err" || bad "warpd failed"
grep -qE '^\[[0-9.]+s\] warpd: iteration 1, restart 1, relative error' "$tmp/w.err" && ok || bad "warpd progress: $(cat "$tmp/w.err")"

# --quiet: only the 'wrote' line; stdout and every file as without it.
"$bin" reconstruct --out "$tmp/q" --size 16 --restarts 50 --inner 40 --quiet >"$tmp/q.out" 2>"$tmp/q.err" ||
  bad "reconstruct --quiet failed"
[ "$(wc -l <"$tmp/q.err")" -eq 1 ] && grep -q "^wrote " "$tmp/q.err" && ok || bad "--quiet printed: $(cat "$tmp/q.err")"
cmp -s <(grep -v " s$" "$tmp/p.out") <(grep -v " s$" "$tmp/q.out") && ok || bad "--quiet changed stdout"
for f in history.csv reconstruction.png convergence.gp; do
  cmp -s "$tmp/p/$f" "$tmp/q/$f" && ok || bad "--quiet changed $f"
done

# convergence.gp. The title names the regulariser (tv and tgv runs were
# indistinguishable), the legend says whose error it is.
"$bin" reconstruct --out "$tmp/tgv" --size 16 --solver warpd --regulariser tgv --restarts 2 --quiet >/dev/null 2>&1 ||
  bad "tgv run failed"
grep -q "^set title 'warpd tgv (complex-double): fourier das 0.15'$" "$tmp/tgv/convergence.gp" && ok ||
  bad "tgv title: $(grep title "$tmp/tgv/convergence.gp")"
grep -q "||u_k - u_{true}|| / ||u_{true}|| (image)" "$tmp/tgv/convergence.gp" && ok || bad "tgv legend is not of the image"
grep -q "||x_k - x_{true}|| / ||x_{true}|| (wavelet coefficients)" "$tmp/p/convergence.gp" && ok ||
  bad "firenet legend is not of the coefficients"
grep -q "^set title 'firenet (complex-double)" "$tmp/p/convergence.gp" && ok || bad "l1 title changed"
# One recorded iteration: a line needs two points, so it is drawn as points
# (with lines the plot was empty).
"$bin" reconstruct --out "$tmp/one" --size 16 --restarts 1 --inner 1 --quiet >/dev/null 2>&1 || bad "1-step run failed"
grep -q "using 1:(\$2 > 0 ? \$2 : 1/0) with points" "$tmp/one/convergence.gp" && ok || bad "one point drawn with lines"
grep -q "with lines" "$tmp/p/convergence.gp" && ok || bad "a long history is not drawn with lines"
# The y axis: the firenet run spans more than two decades (objective gap
# from ~3 down to ~1e-3), labelled by decades; the tgv run's error stays
# within one decade, where gnuplot labels one or two ticks only, so 2 and 5
# times the decades are labelled too.
python3 - "$tmp/p/history.csv" "$tmp/tgv/history.csv" <<'PY' && ok || bad "the test runs do not span the ranges assumed below"
import csv, sys
def span(path, cols):
    v = [float(r[c]) for r in csv.DictReader(open(path)) for c in cols if r[c] and float(r[c]) > 0]
    return max(v) / min(v)
assert span(sys.argv[1], ["relative_error", "gap_bound"]) >= 100
assert span(sys.argv[2], ["relative_error"]) < 100
PY
grep -q "^set format y '10^{%L}'$" "$tmp/p/convergence.gp" && ! grep -q "ytics add" "$tmp/p/convergence.gp" && ok ||
  bad "wide range not labelled by decades"
grep -q "^set format y '%g'$" "$tmp/tgv/convergence.gp" && grep -qE "^set ytics add \(0.2, 0.5, 2, 5\)$" "$tmp/tgv/convergence.gp" &&
  ok || bad "narrow range: $(grep ytics "$tmp/tgv/convergence.gp")"

finish
