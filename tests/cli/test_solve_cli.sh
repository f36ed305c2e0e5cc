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
for f in solution.csv history.csv convergence.png; do [ -s "$tmp/o/$f" ] && ok || bad "solve did not write $f"; done
head -1 "$tmp/o/history.csv" | grep -qx "iteration,objective,error" && ok || bad "history.csv header"
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

finish
