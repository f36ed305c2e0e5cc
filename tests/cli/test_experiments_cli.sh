#!/usr/bin/env bash
# End-to-end checks of `barriers table1` and `barriers adversary`.
# Usage: test_experiments_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# table1, small: every cell above 10^-K, all files written.
"$bin" table1 --K 1,6 --n 10,30 --samples 100 --validation 20 --epochs 10 --out "$tmp/t" >"$tmp/out" 2>"$tmp/err" ||
  bad "table1 failed: $(cat "$tmp/err")"
[ "$(grep -cE ' yes +trained$' "$tmp/out")" -eq 4 ] && ok || bad "table1: expected 4 trained cells above 10^-K: $(cat "$tmp/out")"
grep -q "larger of its distances" "$tmp/out" && ok || bad "table1 does not say what the theorem constrains"
for f in table1.csv table1_details.csv report.md table1.png; do
  [ -s "$tmp/t/$f" ] && ok || bad "table1 did not write $f"
done
head -1 "$tmp/t/table1.csv" | grep -qx "K,n,lista_dist,firenet_dist,ten_to_minus_K,lista_status" && ok ||
  bad "table1.csv header"
[ ! -e "$tmp/t/INCOMPLETE" ] && ok || bad "a finished table1 left the INCOMPLETE marker"
[ "$(wc -l <"$tmp/t/table1.csv")" -eq 5 ] && ok || bad "table1.csv should have 4 rows"
grep -q "published LISTA" "$tmp/t/report.md" && ok || bad "report lacks the published table"

# adversary: every solver's larger distance is above 10^-K.
for args in "--solver pdhg --problem p1" "--solver fista --problem p2" "--solver firenet" "--solver warpd-sr"; do
  # shellcheck disable=SC2086
  "$bin" adversary $args --K 3 --n 20 >"$tmp/out" 2>&1 || bad "adversary $args failed"
  grep -q "identical in both worlds: yes" "$tmp/out" && grep -q "> 10^-3" "$tmp/out" && ok ||
    bad "adversary $args: $(cat "$tmp/out")"
done

# sweep: CSV and plot, one row per combination.
"$bin" sweep --size 20x40 --sparsity 2 --n 10,40 --bits 53,100 --iters 300 --out "$tmp/s" >"$tmp/out" 2>"$tmp/err" ||
  bad "sweep failed: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/s/sweep.csv")" -eq 5 ] && ok || bad "sweep.csv should have 4 rows"
grep -q "certified distance to the exact minimiser" "$tmp/out" && ok || bad "sweep: lambda 1/20 should certify the minimiser"
[ -s "$tmp/s/sweep.png" ] && ok || bad "sweep did not write sweep.png"
"$bin" sweep --instance family --K 1 --n 10,20 --bits 53 --iters 200 >"$tmp/out" 2>&1 && ok || bad "family sweep failed"
expect_error "--size 'abc' must look like ROWSxCOLS" sweep --size abc
expect_error "unknown instance 'wavelet'" sweep --instance wavelet
expect_error "--bits 1 is out of range" sweep --bits 1

expect_error "--K 0 is out of range" table1 --K 0
expect_error "--n '' is not a whole number" table1 --n 10,,20
expect_error "unknown type 'half'" table1 --type half
expect_error "--epochs -3 is out of range" table1 --epochs -3
expect_error "unknown learning-rate rule 'fast': allowed are published, scaled" table1 --lr-rule fast
expect_error "unknown solver 'newton'" adversary --solver newton
expect_error "use --problem p2" adversary --solver fista --problem p3
expect_error "delta = 1/2" adversary --delta 1/2

finish
