#!/usr/bin/env bash
# End-to-end checks of `barriers solve`. Usage: test_solve_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# A 3x4 exactly solvable system with a 1-sparse solution x = e_2 (exact rationals).
cat >"$tmp/A.csv" <<'CSV'
1, 0.5, 0, -1
0, 2, 1, 0
1/3, 0, 1, 1
CSV
printf '0.5\n2\n0\n' >"$tmp/y.csv"
printf '0\n1\n0\n0\n' >"$tmp/x.csv"
# The same matrix in Matrix Market array format (column-major).
printf '%%%%MatrixMarket matrix array real general\n%% comment\n3 4\n1\n0\n1/3\n0.5\n2\n0\n0\n1\n1\n-1\n0\n1\n' >"$tmp/A.mtx"

"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver pdhg --iters 20000 --reference "$tmp/x.csv" \
  --out "$tmp/o" >"$tmp/out" 2>"$tmp/err" || bad "solve pdhg p1 failed: $(cat "$tmp/err")"
for f in solution.csv history.csv summary.csv convergence.png; do [ -s "$tmp/o/$f" ] && ok || bad "solve did not write $f"; done
head -1 "$tmp/o/history.csv" | grep -qx "iteration,objective,error,gap_bound,feasibility_gap" && ok || bad "history.csv header"
[ "$(wc -l <"$tmp/o/solution.csv")" -eq 4 ] && ok || bad "solution.csv should have 4 lines"

"$bin" solve --A "$tmp/A.mtx" --y "$tmp/y.csv" --problem p1 --solver pdhg --iters 20000 --reference "$tmp/x.csv" \
  >"$tmp/out2" 2>&1 || bad "solve from Matrix Market failed: $(cat "$tmp/out2")"
[ "$(grep reference "$tmp/out")" = "$(grep reference "$tmp/out2")" ] && ok || bad "CSV and Matrix Market give different results"

# Exact dyadic data are not reported as rounded; 1/3 is.
grep -q "data rounded" "$tmp/out" && ok || bad "1/3 in A should be reported as rounded"

for s in "fista --problem p2 --lambda 0.01" "firenet --problem p3 --lambda 0.1" "warpd-sr --problem p3 --lambda 0.1" \
  "warpd --problem p1 --C1 2 --C2 2" "pdhg --problem p3 --type mpfr --bits 128" "pdhg --problem p2 --type float128"; do
  # shellcheck disable=SC2086
  "$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver $s >"$tmp/out" 2>&1 && ok || bad "solve $s failed: $(cat "$tmp/out")"
done

# Complex data (Matrix Market complex): A = diag(i, 1, 1) padded, x = e_1, y = A x = (i, 0, 0).
printf '%%%%MatrixMarket matrix array complex general\n3 4\n0 1\n0 0\n0 0\n0 0\n1 0\n0 0\n0 0\n0 0\n1 0\n0 0\n0 0\n1 0\n' >"$tmp/Ac.mtx"
printf '%%%%MatrixMarket matrix array complex general\n3 1\n0 1\n0 0\n0 0\n' >"$tmp/yc.mtx"
printf '%%%%MatrixMarket matrix array complex general\n4 1\n1 0\n0 0\n0 0\n0 0\n' >"$tmp/xc.mtx"
"$bin" solve --A "$tmp/Ac.mtx" --y "$tmp/yc.mtx" --problem p1 --solver pdhg --iters 4000 --reference "$tmp/xc.mtx" \
  --out "$tmp/oc" >"$tmp/out" 2>&1 || bad "complex solve failed: $(cat "$tmp/out")"
grep -q "complex-double" "$tmp/out" && ok || bad "complex data did not run in complex arithmetic"
[ "$(head -1 "$tmp/oc/solution.csv" | tr -cd ',' | wc -c)" -eq 1 ] && ok || bad "complex solution.csv needs re,im columns"

# Issue 8: FIRENET with delta = 0 and far more restarts than double's exponent
# range allows used to end "non-finite, objective inf" with exit 0.
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p3 --solver firenet --lambda 0.1 --restarts 1000 \
  --inner 100 >"$tmp/out" 2>"$tmp/err" && ok || bad "firenet 1000 restarts failed: $(cat "$tmp/err")"
grep -q "stopped: max-iterations" "$tmp/out" && ok || bad "firenet 1000 restarts did not run to the end: $(cat "$tmp/out")"
grep -qE "objective (inf|nan|-nan)" "$tmp/out" && bad "firenet 1000 restarts: non-finite objective" || ok
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p3 --solver firenet --lambda 0.1 --delta 1e-9 \
  >"$tmp/out" 2>&1 && ok || bad "firenet --delta failed: $(cat "$tmp/out")"

# A non-finite run is a failure (exit 1), and --out still gets the last
# finite iterate, labelled so. y near double's maximum overflows A^*(A x - y).
printf '1, 1\n1, -1\n' >"$tmp/Ahuge.csv"
printf '1e308\n1e308\n' >"$tmp/yhuge.csv"
"$bin" solve --A "$tmp/Ahuge.csv" --y "$tmp/yhuge.csv" --problem p2 --solver fista --lambda 1 --out "$tmp/ohuge" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "non-finite fista run exited $rc, expected 1: $(cat "$tmp/err")"
grep -q "non-finite" "$tmp/err" && ok || bad "non-finite run lacks the message: $(cat "$tmp/err")"
grep -q "^solution,last finite iterate" "$tmp/ohuge/summary.csv" 2>/dev/null && ok \
  || bad "summary.csv does not label the last finite iterate"

# The optimality measure: printed, recorded, and a warning when the gap is large.
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p2 --solver fista --lambda 0.01 --iters 3 --out "$tmp/og" \
  >"$tmp/out" 2>"$tmp/err" || bad "fista 3 iterations failed: $(cat "$tmp/err")"
grep -q "duality gap" "$tmp/out" && ok || bad "solve prints no duality gap"
grep -q "warning: optimality not confirmed" "$tmp/err" && ok || bad "3 FISTA steps raised no warning"
grep -q "^relative_duality_gap," "$tmp/og/summary.csv" && ok || bad "summary.csv lacks the duality gap"
head -1 "$tmp/og/history.csv" | grep -qx "iteration,objective,error,gap_bound,feasibility_gap" && ok || bad "history.csv header"
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p2 --solver fista --lambda 0.01 --iters 20000 \
  >"$tmp/out" 2>"$tmp/err" || bad "fista 20000 iterations failed: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && bad "converged FISTA run warned: $(cat "$tmp/err")" || ok

# WARPd carries the dual over by default; --warm-dual no restarts it at 0.
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver warpd --restarts 3 >"$tmp/w1" 2>/dev/null
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver warpd --restarts 3 --warm-dual yes >"$tmp/w2" 2>/dev/null
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver warpd --restarts 3 --warm-dual no >"$tmp/w3" 2>/dev/null
cmp -s "$tmp/w1" "$tmp/w2" && ok || bad "--warm-dual yes is not the default"
cmp -s "$tmp/w1" "$tmp/w3" && bad "--warm-dual no changed nothing" || ok

# Issue 8: WARPd on P1 with its default C1 = C2 = 1 stalls short of the optimum
# on this 5 x 10 instance with eta = 0.1 (objective 2.94355 against the
# optimal 2.91839, the same after 10 or 300 restarts): solve warns, records
# the gap, and names the remedy; with C1 = C2 = 10 it converges (gap 3e-16).
cat >"$tmp/Aw.csv" <<'CSV'
0.0,0.5,-0.5,0.4,0.9,0.4,1.6,-0.9,0.1,-0.7
-0.8,-0.2,0.2,0.4,0.5,2.2,0.9,-1.6,0.2,-0.6
-0.5,1.3,-0.2,-2.0,0.3,-0.3,-1.2,-0.9,-0.6,-0.0
-0.4,0.1,1.8,-0.8,-0.8,-0.2,1.1,-0.7,1.4,-1.3
-1.0,-0.1,-0.9,-0.6,0.5,0.7,0.1,-0.3,1.3,0.4
CSV
printf -- '-2.7\n-2.0\n3.7\n-2.1\n-0.3\n' >"$tmp/yw.csv"
"$bin" solve --A "$tmp/Aw.csv" --y "$tmp/yw.csv" --problem p1 --solver warpd --eta 0.1 --out "$tmp/ow" \
  >"$tmp/out" 2>"$tmp/err" && ok || bad "warpd defaults on the 5x10 instance failed: $(cat "$tmp/err")"
grep -q "warning: optimality not confirmed: relative duality gap 0.021" "$tmp/err" && ok \
  || bad "the stalled WARPd run did not warn: $(cat "$tmp/err")"
grep -q "try a larger --C1 and --C2" "$tmp/err" && ok || bad "the stalled WARPd run did not name the remedy: $(cat "$tmp/err")"
grep -q "^relative_duality_gap,2.1" "$tmp/ow/summary.csv" && ok || bad "summary.csv lacks the stalled run's gap"
"$bin" solve --A "$tmp/Aw.csv" --y "$tmp/yw.csv" --problem p1 --solver warpd --eta 0.1 --C1 10 --C2 10 --restarts 30 \
  >"$tmp/out" 2>"$tmp/err" || bad "warpd --C1 10 failed: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && bad "converged WARPd run warned: $(cat "$tmp/err")" || ok

# P1 iterates approach the constraint from outside: their objective can lie
# below the optimum, so the plot shows |objective - dual bound| and the
# violation as separate series (the gap series alone was empty), and a final
# gap below -1e-6 is a warning too (200 PDHG steps: -3.8e-3, violation 0.034).
"$bin" solve --A "$tmp/Aw.csv" --y "$tmp/yw.csv" --problem p1 --solver pdhg --eta 0.1 --iters 200 --out "$tmp/op1" \
  >"$tmp/out" 2>"$tmp/err" || bad "pdhg p1 200 steps failed: $(cat "$tmp/err")"
grep -q "warning: not optimal: the objective lies below the dual bound" "$tmp/err" && ok \
  || bad "a negative gap beyond rounding did not warn: $(cat "$tmp/err")"
awk -F, 'NR > 1 && !($5 > 0) { exit 1 }' "$tmp/op1/history.csv" && ok || bad "every recorded PDHG P1 iterate should be infeasible"
grep -q "constraint violation" "$tmp/op1/convergence.gp" && grep -q "infeasible iterates" "$tmp/op1/convergence.gp" && ok \
  || bad "the P1 plot lacks the violation and |objective - dual bound| series: $(cat "$tmp/op1/convergence.gp")"
grep -q "feasible iterates (>=" "$tmp/op1/convergence.gp" && bad "the P1 plot draws an empty gap series" || ok
[ -s "$tmp/op1/convergence.png" ] && ok || bad "no convergence.png for an all-infeasible P1 run"
awk -F, 'NR > 1 && $5 != "" { exit 1 }' "$tmp/og/history.csv" && ok || bad "a P2 history row has a feasibility gap"

# --history-every thins history.csv (the observer recomputes the objective).
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p2 --solver fista --lambda 0.01 --iters 100 --history-every 10 \
  --out "$tmp/oh10" >/dev/null 2>&1 || bad "--history-every 10 failed"
[ "$(wc -l <"$tmp/oh10/history.csv")" -eq 11 ] && ok || bad "--history-every 10 should give 10 rows and a header"
# The automatic value records every 20th step (an observation costs about half
# an iteration: under 3 %), and at most about 10000 rows.
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p2 --solver fista --lambda 0.01 --iters 30000 \
  --out "$tmp/oh0" >/dev/null 2>&1 || bad "--iters 30000 failed"
[ "$(wc -l <"$tmp/oh0/history.csv")" -eq 1501 ] && ok || bad "30000 iterations should record every 20th (1500 rows)"
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p2 --solver fista --lambda 0.01 --iters 300000 \
  --out "$tmp/oh1" >/dev/null 2>&1 || bad "--iters 300000 failed"
[ "$(wc -l <"$tmp/oh1/history.csv")" -eq 10001 ] && ok || bad "300000 iterations should record every 30th (10000 rows)"
expect_error "--history-every -1" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --history-every -1

# Issue 12: options that do not apply are errors naming the option.
expect_error "--eta does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p3 --eta 0.1
expect_error "--lambda does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --lambda 0.1
expect_error "--C1 does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver pdhg --C1 2
expect_error "--C2 does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p3 --solver warpd-sr --C2 2
expect_error "--delta does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver pdhg --delta 0.1
expect_error "--warm-dual does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver firenet --warm-dual no
expect_error "--restarts does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver pdhg --restarts 3
expect_error "--iters does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver firenet --iters 3
expect_error "--last-iterate does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver firenet --last-iterate
expect_error "--bits does not apply" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --bits 100
expect_error "--warm-dual 'maybe'" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver warpd --warm-dual maybe
expect_error "--delta '-1' must be >= 0" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver firenet --delta -1
# Values outside the working type are input errors naming the option.
expect_error "--lambda '1e400' is outside the range" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --lambda 1e400
expect_error "--C1 '1e-400' rounds to 0" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --problem p1 --solver warpd --C1 1e-400
"$bin" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --lambda 1e400 --type mpfr --bits 64 >"$tmp/out" 2>&1 && ok \
  || bad "--lambda 1e400 should fit MPFR's range: $(cat "$tmp/out")"
printf '1e400, 1\n1, 1\n' >"$tmp/Aover.csv"
printf '1\n1\n' >"$tmp/y2.csv"
expect_error "--A '$tmp/Aover.csv': " solve --A "$tmp/Aover.csv" --y "$tmp/y2.csv"
expect_error "is outside the range of the working type double" solve --A "$tmp/Aover.csv" --y "$tmp/y2.csv"
expect_error "--out: the value is empty" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --out ""
# Memory is estimated before the run: 1000 x 1000 at 2^20 bits needs about 260 GB.
awk 'BEGIN { for (i = 0; i < 1000; ++i) { s = "0"; for (j = 1; j < 1000; ++j) s = s ",0"; print s } }' >"$tmp/Abig.csv"
awk 'BEGIN { for (i = 0; i < 1000; ++i) print 0 }' >"$tmp/ybig.csv"
expect_error "needs about" solve --A "$tmp/Abig.csv" --y "$tmp/ybig.csv" --type mpfr --bits 1048576

printf '1, 2\n3\n' >"$tmp/ragged.csv"
printf '1, x\n' >"$tmp/bad.csv"
printf '1, nan\n' >"$tmp/nan.csv"
expect_error "cannot open matrix file" solve --A "$tmp/none.csv" --y "$tmp/y.csv"
expect_error "ragged.csv:2: row has 1 entries" solve --A "$tmp/ragged.csv" --y "$tmp/y.csv"
expect_error "bad.csv:1: 'x' is not a rational" solve --A "$tmp/bad.csv" --y "$tmp/y.csv"
expect_error "not finite" solve --A "$tmp/nan.csv" --y "$tmp/y.csv"
expect_error "y has length 4 but A has 3 rows" solve --A "$tmp/A.csv" --y "$tmp/x.csv"
expect_error "lambda" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --lambda 0
expect_error "lambda" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --lambda -2
expect_error "unknown solver 'cg'" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver cg
expect_error "use --problem p2" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --solver fista
expect_error "unknown type" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --type half
expect_error "--A is required" solve --y "$tmp/y.csv"
expect_error "--threads" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --threads 65
expect_error "--threads" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --threads -1

# One large solve on two threads gives the same bits as on one: 400 x 1800 in
# long double is above the size where dense products split (7e5 entries,
# dense_operator.hpp); seeded data.
awk 'BEGIN { s = 12345; for (i = 0; i < 400; i++) { line = ""; for (j = 0; j < 1800; j++) {
  s = (s * 1103515245 + 12345) % 2147483648; line = line (j ? "," : "") (s % 2001 - 1000) "/1000" } print line } }' \
  >"$tmp/Abig.csv"
awk 'BEGIN { for (i = 0; i < 400; i++) print (i % 7 == 0 ? 1 : 0) }' >"$tmp/ybig.csv"
for t in 1 2; do
  "$bin" solve --A "$tmp/Abig.csv" --y "$tmp/ybig.csv" --solver firenet --lambda 0.1 --restarts 2 --inner 20 \
    --type long-double --threads "$t" --out "$tmp/t$t" >/dev/null 2>"$tmp/err" || bad "solve --threads $t failed: $(cat "$tmp/err")"
done
cmp -s "$tmp/t1/solution.csv" "$tmp/t2/solution.csv" && ok || bad "--threads 1 and 2 give different solutions"

finish
