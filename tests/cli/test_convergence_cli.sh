#!/usr/bin/env bash
# End-to-end checks of `barriers convergence` on a 16x16 profile.
# Usage: test_convergence_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# Every type: the noise cells in double, long double and float128, the
# noise-free MPFR cells at 128 bits beside them.
"$bin" convergence --size 16 --mpfr-size 16 --type double,long-double,float128,mpfr --bits 128 --noise 0,1e-3 \
  --threads 2 --quiet --out "$tmp/all" >"$tmp/out" 2>"$tmp/err" || bad "convergence (every type) failed: $(cat "$tmp/err")"
for f in history.csv summary.csv report.md convergence_fourier.png convergence_walsh.png mpfr_convergence.png; do
  [ -s "$tmp/all/$f" ] && ok || bad "convergence did not write $f"
done
[ -e "$tmp/all/INCOMPLETE" ] && bad "INCOMPLETE left after a successful run" || ok
[ -s "$tmp/err" ] && bad "--quiet run wrote on stderr: $(head -c 300 "$tmp/err")" || ok
# 2 samplings x (3 types x 2 noise levels + 1 MPFR cell); the noise-0 cells of
# the fixed types double as the precision comparison (same size).
[ "$(tail -n +2 "$tmp/all/summary.csv" | wc -l)" -eq 14 ] && ok || bad "summary.csv should hold 14 cells: $(cat "$tmp/all/summary.csv")"
head -1 "$tmp/all/history.csv" | grep -qx "sampling,type,bits,size,noise,iteration,restart,relative_error,objective,objective_gap,bound" \
  && ok || bad "history.csv header: $(head -1 "$tmp/all/history.csv")"
# Each cell records restarts x 20 inner steps (restarts = ceil(bits ln 2) + 15).
awk -F, 'NR > 1 { n[$1 "," $2 "," $5]++ } END { for (k in n) print k, n[k] }' "$tmp/all/history.csv" >"$tmp/counts"
grep -q "^fourier,double,0 1040$" "$tmp/counts" && ok || bad "double cell should have 52 x 20 steps: $(cat "$tmp/counts")"
grep -q "^walsh,float128,1e-3 1880$" "$tmp/counts" && ok || bad "float128 cell should have 94 x 20 steps: $(cat "$tmp/counts")"
grep -q "^walsh,mpfr,0 2080$" "$tmp/counts" && ok || bad "MPFR 128-bit cell should have 104 x 20 steps: $(cat "$tmp/counts")"
# The point of the experiment: without noise MPFR goes far below double. At
# 128 bits the unit roundoff is 2^-128 = 2.9e-39; require below 1e-20.
awk -F, 'NR > 1 && $2 == "mpfr" { if ($12 + 0 < 1e-20) good++; n++ } END { exit !(n == 2 && good == 2) }' \
  "$tmp/all/summary.csv" && ok || bad "MPFR final errors not below 1e-20: $(grep mpfr "$tmp/all/summary.csv")"
# double flattens (floor reached) within a factor 100 of its unit roundoff
# 2^-53 = 1.1e-16 (the library test derives the tighter bound).
awk -F, 'NR > 1 && $2 == "double" && $5 == "0" { if ($13 == "yes" && $14 + 0 < 1.1e-14) good++; n++ } END { exit !(n == 2 && good == 2) }' \
  "$tmp/all/summary.csv" && ok || bad "double noise-0 cells should flatten below 1.1e-14: $(grep ',double,' "$tmp/all/summary.csv")"
# With noise 1e-3 the floor is of the order of the noise.
awk -F, 'NR > 1 && $5 == "1e-3" { if ($13 == "yes" && $14 + 0 < 1e-2 && $14 + 0 > 1e-4) good++; n++ } END { exit !(n == 6 && good == 6) }' \
  "$tmp/all/summary.csv" && ok || bad "noise 1e-3 floors should be near 1e-3: $(cat "$tmp/all/summary.csv")"
# Converging cells are never called stuck (the stuck_from column, 21, is empty).
awk -F, 'NR > 1 && $21 != "" { bad++ } END { exit bad > 0 }' "$tmp/all/summary.csv" \
  && ok || bad "a converging cell was called stuck: $(cat "$tmp/all/summary.csv")"
grep -q "## What is seen" "$tmp/all/report.md" && ok || bad "report.md lacks its findings"
grep -q "^| walsh | MPFR 128 bits | 16 | 0 |" "$tmp/all/report.md" && ok || bad "report.md lacks the MPFR row"

# Reproducible byte for byte, and independent of the thread count.
args=(convergence --sampling walsh --size 16 --mpfr-size 16 --type double,mpfr --bits 64 --noise 0,1e-2 --restarts 30 --quiet)
"$bin" "${args[@]}" --threads 1 --out "$tmp/r1" >/dev/null 2>&1 || bad "reproducibility run 1 failed"
"$bin" "${args[@]}" --threads 2 --out "$tmp/r2" >/dev/null 2>&1 || bad "reproducibility run 2 failed"
for f in history.csv summary.csv report.md convergence_walsh.dat mpfr_convergence.dat; do
  cmp -s "$tmp/r1/$f" "$tmp/r2/$f" && ok || bad "$f differs between --threads 1 and 2"
done

# The published parameters (--paper: lambda 2.5e-4, p = 5) on a 16x16 problem:
# the error stays far from x, and the report certifies why. Columns 21-23 are
# the first restart r after which psi_r was farther from x than the remaining
# restarts can move it, that distance and that reach (both relative to ||x||).
# The reach bound must hold for the measured run: the final output lies within
# it of psi_r, so final error >= distance - reach (column 12 is the final
# error); and it must be a real stall, not a rounding floor (distance > 0.1).
"$bin" convergence --paper --size 16 --mpfr-size 16 --type double,mpfr --bits 128 --noise 0,1e-2 --threads 2 \
  --quiet --out "$tmp/paper" >/dev/null 2>"$tmp/err" || bad "convergence --paper (16x16) failed: $(cat "$tmp/err")"
awk -F, 'NR > 1 { n++; if ($21 + 0 >= 1 && $22 > 0.1 && $12 + 0 >= $22 - $23) good++ }
  END { exit !(n == 6 && good == 6) }' "$tmp/paper/summary.csv" \
  && ok || bad "--paper 16x16 cells should be certified stuck: $(cat "$tmp/paper/summary.csv")"
grep -q "It is stuck from restart" "$tmp/paper/report.md" && ok || bad "report.md does not say the --paper cells are stuck"
grep -q "^## The published settings" "$tmp/paper/report.md" && grep -q "6 of 6 cells are stuck" "$tmp/paper/report.md" \
  && ok || bad "report.md lacks the published-settings section: $(tail -5 "$tmp/paper/report.md")"

# Why the published settings stall (docs/convergence.md, "Why the published
# parameters do not converge here", row 9), on that section's 64 x 64
# problem: Shepp-Logan with 102 of 4096 Haar coefficients, 614 Fourier samples
# (15% DAS), noise 0, 16 restarts, lambda = 2.5e-4. With p = 5 and p = 20
# inner steps the run is certified stuck (final error >= distance - reach,
# as above); with p = 40 it is not stuck and ends below e^-16 = 1.1e-7, the
# theory's delta + e^-n at n = 16 with delta = 1e-9 and C = 1.
for p in 5 20 40; do
  "$bin" convergence --paper --size 64 --keep 0.025 --sampling fourier --noise 0 --type double --restarts 16 \
    --inner "$p" --quiet --out "$tmp/inner$p" >/dev/null 2>"$tmp/err" \
    || bad "convergence --paper --inner $p (64x64) failed: $(cat "$tmp/err")"
done
awk -F, 'NR == 2 { exit !($6 == 614 && $7 == 102 && $9 == 16) }' "$tmp/inner5/summary.csv" \
  && ok || bad "the 64x64 problem is not the documented one: $(cat "$tmp/inner5/summary.csv")"
for p in 5 20; do
  awk -F, 'NR == 2 { exit !($21 + 0 >= 1 && $12 + 0 >= $22 - $23 && $12 > 0.3) }' "$tmp/inner$p/summary.csv" \
    && ok || bad "--inner $p should be certified stuck far from x: $(cat "$tmp/inner$p/summary.csv")"
done
awk -F, 'NR == 2 { exit !($21 == "" && $12 + 0 < exp(-16)) }' "$tmp/inner40/summary.csv" \
  && ok || bad "--inner 40 should converge below e^-16: $(cat "$tmp/inner40/summary.csv")"

# A 128 x 128 cell's final duality gap (column 19) comes from conjugate
# gradients on the support's Gram operator (solvers/src/optimality.cpp; the
# dense Gram matrix took 0.5 GB and 30 s here, 8 GB at 256 x 256). Run to
# 3e-16, the certificate must still close to 1e-12 (measured 4.0e-14; the
# dense solve gave 2.8e-14, a 60-step cap on CG 2.1e-7).
"$bin" convergence --sampling fourier --type double --noise 0 --size 128 --restarts 40 --threads 1 --quiet \
  --out "$tmp/c128" >/dev/null 2>"$tmp/err" || bad "convergence at 128x128 failed: $(cat "$tmp/err")"
awk -F, 'NR == 2 { exit !($12 + 0 < 1e-15 && $19 != "" && $19 + 0 <= 1e-12) }' "$tmp/c128/summary.csv" \
  && ok || bad "the 128x128 cell's duality gap should close to 1e-12: $(cat "$tmp/c128/summary.csv")"

# Bad input: one line, exit 2, nothing written.
expect_rejected 2 "--noise" convergence --noise nan --out "$tmp/b1"
no_final_files "$tmp/b1"
expect_rejected 2 "--noise" convergence --noise 0,-1e-3 --out "$tmp/b2"
expect_rejected 2 "unknown type" convergence --type double,single --out "$tmp/b3"
expect_rejected 2 "--bits" convergence --bits 10 --out "$tmp/b4"
expect_rejected 2 "--bits applies to MPFR" convergence --type double --bits 128 --out "$tmp/b5"
expect_rejected 2 "sampling" convergence --sampling fourier,radon --out "$tmp/b6"
expect_rejected 2 "--keep" convergence --keep 0 --out "$tmp/b7"
expect_rejected 2 "--rate" convergence --rate 1.5 --out "$tmp/b8"
expect_rejected 2 "db99" convergence --wavelet db99 --out "$tmp/b9"
expect_rejected 2 "power of two|powers of two" convergence --sampling walsh --size 24 --type double --out "$tmp/b10"
no_final_files "$tmp/b10"
expect_rejected 2 "--size" convergence --size 100000 --out "$tmp/b11"
expect_rejected 2 "--out" convergence --size 16
expect_rejected 2 "no-such-file" convergence --image "$tmp/no-such-file.png" --out "$tmp/b12"
no_final_files "$tmp/b12"
expect_rejected 2 "--size" convergence --image "$tmp/no-such-file.png" --size 32 --out "$tmp/b13"

# ---- begin: --resume, --shard and merge (saved cells in convergence_cells.csv) ----
# A run killed after its first cell, resumed, and a run split into two shards
# merged and resumed, give the files of the uninterrupted run byte for byte.
rargs=(convergence --sampling fourier,walsh --size 16 --mpfr-size 16 --type double,mpfr --bits 64 --noise 0,1e-2
       --restarts 20 --threads 1)
cfiles=(convergence_cells.csv convergence_settings.txt history.csv summary.csv report.md convergence_fourier.dat
        convergence_fourier.gp convergence_walsh.dat convergence_walsh.gp mpfr_convergence.dat mpfr_convergence.gp)
same_as_whole() {  # same_as_whole DIR: every file of DIR equals the uninterrupted run's
  for f in "${cfiles[@]}"; do cmp -s "$tmp/whole/$f" "$1/$f" && ok || bad "$f differs between the whole run and $1"; done
}
"$bin" "${rargs[@]}" --quiet --out "$tmp/whole" >"$tmp/whole.out" 2>&1 || bad "convergence for --resume failed: $(cat "$tmp/whole.out")"
[ "$(grep -vc '^sampling,' "$tmp/whole/convergence_cells.csv")" -eq 6 ] && ok ||
  bad "convergence_cells.csv should hold 6 cells: $(cut -c1-60 "$tmp/whole/convergence_cells.csv")"
mkdir "$tmp/killed"
cp "$tmp/whole/convergence_settings.txt" "$tmp/killed/"
head -2 "$tmp/whole/convergence_cells.csv" >"$tmp/killed/convergence_cells.csv"
"$bin" "${rargs[@]}" --out "$tmp/killed" --resume >"$tmp/killed.out" 2>"$tmp/killed.err" ||
  bad "convergence --resume failed: $(cat "$tmp/killed.err")"
grep -q "resuming: 1 cells read from convergence_cells.csv" "$tmp/killed.err" && ok ||
  bad "--resume did not say it read the saved cell: $(head -c 300 "$tmp/killed.err")"
same_as_whole "$tmp/killed"
cmp -s "$tmp/whole.out" "$tmp/killed.out" && ok || bad "the resumed run printed another report"
[ -e "$tmp/killed/INCOMPLETE" ] && bad "a finished --resume left INCOMPLETE" || ok
# The saved cells are used, not recomputed: a doubled ||x|| in the saved
# first cell halves its bound and so doubles its smallest C in summary.csv
# (max error / bound, the errors being saved as relative errors).
cp -r "$tmp/whole" "$tmp/edited"
awk -F, -v OFS=, 'NR == 2 { $11 = 2 * $11 } { print }' "$tmp/whole/convergence_cells.csv" >"$tmp/edited/convergence_cells.csv"
"$bin" "${rargs[@]}" --quiet --out "$tmp/edited" --resume >/dev/null 2>&1 || bad "--resume of an edited cell failed"
c_whole=$(sed -n 2p "$tmp/whole/summary.csv" | cut -d, -f18)
c_edited=$(sed -n 2p "$tmp/edited/summary.csv" | cut -d, -f18)
awk -v a="$c_whole" -v b="$c_edited" 'BEGIN { exit !(a > 0 && b > 1.99 * a && b < 2.01 * a) }' && ok ||
  bad "--resume did not use the saved cell: smallest C $c_whole, after doubling ||x|| $c_edited"
# Shards: every other cell each; merged, then finished by --resume without computing.
for i in 1 2; do
  "$bin" "${rargs[@]}" --quiet --shard "$i/2" --out "$tmp/cs$i" >/dev/null 2>"$tmp/err" || bad "convergence shard $i/2 failed: $(cat "$tmp/err")"
  [ "$(grep -vc '^sampling,' "$tmp/cs$i/convergence_cells.csv")" -eq 3 ] && ok || bad "shard $i/2 should hold 3 cells"
  [ -e "$tmp/cs$i/summary.csv" ] && bad "shard $i/2 wrote summary.csv (a shard saves its cells only)" || ok
done
"$bin" merge --out "$tmp/cmerged" "$tmp/cs1" "$tmp/cs2" >"$tmp/out" 2>&1 || bad "convergence merge failed: $(cat "$tmp/out")"
grep -q "merged 6 cells of 2 shards into convergence_cells.csv" "$tmp/out" && ok || bad "merge report: $(cat "$tmp/out")"
"$bin" "${rargs[@]}" --out "$tmp/cmerged" --resume >/dev/null 2>"$tmp/err" || bad "--resume after merge failed"
grep -q "resuming: 6 cells" "$tmp/err" && ok || bad "--resume after merge did not read the 6 cells: $(head -c 300 "$tmp/err")"
same_as_whole "$tmp/cmerged"
# Refused: other settings, a damaged or foreign line, a repeated cell, a
# directory in place of the cells file, no settings file beside the cells.
expect_rejected 2 "'seed=1', this run has 'seed=2'" "${rargs[@]}" --seed 2 --out "$tmp/whole" --resume
expect_rejected 2 "which this run does not request" "${rargs[@]/1e-2/1e-3}" --out "$tmp/whole" --resume
# Fields: 6 samples, 9 restarts, 14 termination, 18 steps, 19 the steps
# "iteration restart error objective gap" (step 3: iteration 3, restart 0).
for edit in '$6 = "x"' '$9 = 21' '$14 = "max-iter"' '$18 = $18 + 1' '$20 = 1' 'sub(/;3 0 [^;]*;/, ";3 0 1 2;", $19)' \
            'sub(/;3 0 /, ";2 0 ", $19)' 'sub(/;3 0 /, ";3 2 ", $19)' 'sub(/;3 0 [-0-9.e]* /, ";3 0 1e400x ", $19)'; do
  mkdir -p "$tmp/damaged" && cp "$tmp/whole/convergence_settings.txt" "$tmp/damaged/"
  awk -F, -v OFS=, "NR == 2 { $edit } { print }" "$tmp/whole/convergence_cells.csv" >"$tmp/damaged/convergence_cells.csv"
  expect_rejected 2 "convergence_cells.csv' line 2" "${rargs[@]}" --out "$tmp/damaged" --resume
  rm -rf "$tmp/damaged"
done
cp -r "$tmp/whole" "$tmp/twice" && sed -n 2p "$tmp/whole/convergence_cells.csv" >>"$tmp/twice/convergence_cells.csv"
expect_rejected 2 "repeats the cell" "${rargs[@]}" --out "$tmp/twice" --resume
mkdir -p "$tmp/dir_cells/convergence_cells.csv"
expect_rejected 2 "is not a regular file" "${rargs[@]}" --out "$tmp/dir_cells" --resume
mkdir -p "$tmp/no_settings" && cp "$tmp/whole/convergence_cells.csv" "$tmp/no_settings/"
expect_rejected 2 "has no convergence_settings.txt beside it" "${rargs[@]}" --out "$tmp/no_settings" --resume
expect_rejected 2 "--shard" "${rargs[@]}" --shard 3/2 --out "$tmp/bad_shard"
# ---- end: --resume, --shard and merge ----

finish
