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
# sweep: the planted x is called the minimiser only when certified (lambda = 1: it is not the minimiser).
"$bin" sweep --lambda-gaussian 1 --n 40 --bits 53 --iters 300 --quiet >"$tmp/out" 2>&1 || bad "sweep lambda 1 failed"
grep -q "distance to the planted x (not certified" "$tmp/out" && ! grep -q "exact minimiser" "$tmp/out" && ok ||
  bad "sweep --lambda-gaussian 1 must not claim the exact minimiser: $(cat "$tmp/out")"
# Options that do not apply to the chosen instance or solver are errors.
expect_error "--problem does not apply" sweep --problem p1
expect_error "--lambda does not apply" sweep --lambda 1/2
expect_error "--size does not apply" sweep --instance family --size 3x3
expect_error "--inner does not apply" sweep --solver pdhg --inner 3
expect_error "--eta does not apply" sweep --instance family --eta 1/8
expect_error "--resume needs --out" sweep --resume
expect_error "--resume needs --out" table1 --resume
# Runs too large for the machine are refused with the figures before any work.
expect_error "GB of memory, more than the" sweep --size 2000x2000 --bits 100000
expect_error "GB of memory, more than the" table1 --samples 1000000 --type mpfr --bits 1000000
expect_error "delta" table1 --delta 1/7
expect_error "--bits does not apply" table1 --bits 300
# --out naming an existing file is refused before any work.
: >"$tmp/afile"
expect_error "exists and is not a directory" sweep --out "$tmp/afile"
expect_error "exists and is not a directory" table1 --out "$tmp/afile"

# Progress lines reach stderr when it is not a terminal; --quiet silences them.
"$bin" sweep --size 10x20 --sparsity 2 --n 10 --bits 53 --iters 50 >/dev/null 2>"$tmp/err" || bad "sweep progress run failed"
grep -q "cell 1/1" "$tmp/err" && ok || bad "sweep printed no progress line to a non-terminal stderr: $(cat "$tmp/err")"
"$bin" sweep --size 10x20 --sparsity 2 --n 10 --bits 53 --iters 50 --quiet >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok || bad "sweep --quiet printed on stderr: $(cat "$tmp/err")"

# A killed sweep keeps its finished cells (and the INCOMPLETE marker); --resume
# computes only the rest and leaves the saved rows as they were.
sweep_args=(sweep --size 20x40 --sparsity 2 --n 10,20 --bits 53,300 --iters 2000,20000 --quiet --out "$tmp/k")
for sig in TERM KILL; do
  rm -rf "$tmp/k"
  "$bin" "${sweep_args[@]}" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    [ -f "$tmp/k/sweep.csv" ] && [ "$(wc -l <"$tmp/k/sweep.csv")" -ge 3 ] && break
    sleep 0.05
  done
  kill -"$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rows=$(($(wc -l <"$tmp/k/sweep.csv") - 1))
  if [ "$rows" -ge 2 ] && [ "$rows" -lt 8 ] && [ -e "$tmp/k/INCOMPLETE" ]; then ok; else
    bad "SIG$sig: expected some finished cells and INCOMPLETE, got $rows rows: $(ls "$tmp/k")"
  fi
  head -n "$((rows + 1))" "$tmp/k/sweep.csv" >"$tmp/saved"
  "$bin" "${sweep_args[@]}" --resume >"$tmp/out" 2>"$tmp/err" || bad "SIG$sig: --resume failed: $(cat "$tmp/err")"
  [ "$(wc -l <"$tmp/k/sweep.csv")" -eq 9 ] && [ ! -e "$tmp/k/INCOMPLETE" ] && ok ||
    bad "SIG$sig: the resumed sweep should have 8 rows and no marker: $(cat "$tmp/k/sweep.csv")"
  [ "$(grep -c "(resumed)" "$tmp/out")" -eq "$rows" ] && ok || bad "SIG$sig: expected $rows resumed cells: $(cat "$tmp/out")"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/k/sweep.csv" || { bad "SIG$sig: saved row changed: $line"; break; }
  done <"$tmp/saved"
done
expect_error "were computed with 'seed=0', this run has 'seed=1'" "${sweep_args[@]}" --resume --seed 1
expect_error "which this run does not request" sweep --size 20x40 --sparsity 2 --n 10,20 --bits 53,300 --iters 2000 \
  --quiet --out "$tmp/k" --resume

# A cell whose solver output was NaN or infinite is kept as a "non-finite" row,
# the other cells are saved and reported, and the run exits 1 with one line
# counting them. No setting in the documented ranges makes the sweep's solvers
# overflow any more (FIRENET's eps floor; tried: --lambda-gaussian 1.7e308 and
# 1e-320, --bits 2..8, --n 0, family K = 100), so the non-finite cell comes
# from an earlier run's CSV, as such runs wrote it, and is carried by --resume.
nf_args=(sweep --size 10x20 --sparsity 2 --n 10 --bits 53 --iters 100,200 --quiet --out "$tmp/nf")
"$bin" "${nf_args[@]}" >/dev/null 2>&1 || bad "sweep for the non-finite cell failed"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print } NR == 2 { $4 = "non-finite"; $5 = ""; $6 = ""; print }' \
  "$tmp/nf/sweep.csv" >"$tmp/nf.csv" && mv "$tmp/nf.csv" "$tmp/nf/sweep.csv"
"$bin" "${nf_args[@]}" --resume >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "a sweep with a non-finite cell exited $rc, expected 1: $(cat "$tmp/err")"
grep -qx "barriers: error: 1 of 2 cells ended with a NaN or infinite output (status non-finite in the CSV)" "$tmp/err" && ok \
  || bad "no clear line for the non-finite cell: $(cat "$tmp/err")"
grep -q "^10,53,100,non-finite,,,double," "$tmp/nf/sweep.csv" && grep -q "^10,53,200,ok," "$tmp/nf/sweep.csv" && ok \
  || bad "sweep.csv should keep the non-finite cell and save the finished one: $(cat "$tmp/nf/sweep.csv")"
grep -q "non-finite" "$tmp/out" && [ -s "$tmp/nf/sweep.png" ] && [ ! -e "$tmp/nf/INCOMPLETE" ] && ok \
  || bad "the non-finite run should report the cell, plot the rest and finish the directory: $(cat "$tmp/out")"

# table1 --resume keeps finished rows and refuses other settings.
"$bin" table1 --K 1,3 --n 10 --samples 30 --validation 10 --epochs 2 --quiet --out "$tmp/r" >/dev/null 2>&1 ||
  bad "table1 for resume failed"
sed -i '3,$d' "$tmp/r/table1_details.csv"
"$bin" table1 --K 1,3 --n 10 --samples 30 --validation 10 --epochs 2 --quiet --out "$tmp/r" --resume >"$tmp/out" 2>&1 ||
  bad "table1 --resume failed: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/r/table1_details.csv")" -eq 3 ] && [ "$(wc -l <"$tmp/r/table1.csv")" -eq 3 ] && ok ||
  bad "table1 --resume should complete both rows"
# A dead LISTA network (published thresholds at K = 8) is flagged on stdout and
# in both CSVs (one field, no commas), and such a row resumes.
dead_args=(table1 --K 3,8 --n 10 --lr-rule published --samples 50 --validation 10 --epochs 3 --quiet --out "$tmp/d")
"$bin" "${dead_args[@]}" >"$tmp/out" 2>&1 || bad "table1 K=8 published failed: $(cat "$tmp/out")"
grep -E '^ +8 ' "$tmp/out" | grep -q "dead network (best epoch 0; zero output; zero gradient)" && ok ||
  bad "table1 did not flag the dead K = 8 network: $(cat "$tmp/out")"
awk -F, 'NF != 6 { exit 1 }' "$tmp/d/table1.csv" && awk -F, 'NF != 25 { exit 1 }' "$tmp/d/table1_details.csv" && ok ||
  bad "table1 CSV rows have the wrong field count: $(cat "$tmp/d/table1.csv")"
sed -i '2d' "$tmp/d/table1_details.csv"  # drop K = 3, keep the dead K = 8 row
"$bin" "${dead_args[@]}" --resume >"$tmp/out" 2>&1 && [ "$(wc -l <"$tmp/d/table1_details.csv")" -eq 3 ] && ok ||
  bad "table1 --resume with a dead-network row failed: $(cat "$tmp/out")"
expect_error "were computed with 'epochs=2', this run has 'epochs=3'" table1 --K 1,3 --n 10 --samples 30 \
  --validation 10 --epochs 3 --quiet --out "$tmp/r" --resume
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
