# `mpirun -np 3 barriers sweep|table1|theorem|convergence` (rank 0 coordinates, ranks 1-2 compute)
# writes the files of a serial run; a failing rank is reported with its cell,
# the finished cells are kept and --resume completes them; a refused run stops
# every rank (no hang).
# Usage: bash test_mpi_cells.sh BARRIERS MPIEXEC
bin="$1"
mpiexec="$2"
source "$(dirname "$0")/../cli/cli_test_lib.bash"
mpi=("$mpiexec" --allow-run-as-root --oversubscribe -np 3)
export OMPI_MCA_rmaps_base_oversubscribe=1

same_files() {  # same_files DIR_A DIR_B FILE...
  local a="$1" b="$2"; shift 2
  for f in "$@"; do cmp -s "$a/$f" "$b/$f" && ok || bad "$f differs between the serial and the MPI run"; done
}

sweep=(sweep --size 8x16 --sparsity 2 --n 10,20 --bits 53,113 --iters 20,40 --quiet)
"$bin" "${sweep[@]}" --out "$tmp/serial" >"$tmp/serial.out" 2>&1 || bad "serial sweep failed"
timeout -k 5 120 "${mpi[@]}" "$bin" "${sweep[@]}" --out "$tmp/mpi" >"$tmp/mpi.out" 2>"$tmp/mpi.err" ||
  bad "mpirun sweep failed: $(head -c 600 "$tmp/mpi.err")"
same_files "$tmp/serial" "$tmp/mpi" sweep.csv sweep_settings.txt sweep_plot.dat sweep.gp
[ -e "$tmp/mpi/INCOMPLETE" ] && bad "the MPI sweep left INCOMPLETE" || ok
diff <(grep -v '^wrote' "$tmp/serial.out") <(grep -v '^wrote' "$tmp/mpi.out") >/dev/null && ok ||
  bad "the MPI sweep printed another report: $(diff "$tmp/serial.out" "$tmp/mpi.out" | head -5)"

# A rank fails on cell 3: rank 0 names it, keeps the others, exits 1; --resume finishes.
BARRIERS_MPI_FAIL_CELL=3 timeout -k 5 120 "${mpi[@]}" -x BARRIERS_MPI_FAIL_CELL "$bin" "${sweep[@]}" --out "$tmp/fail" \
  >/dev/null 2>"$tmp/fail.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && ok || bad "a failing rank: exit $rc, expected a failure"
grep -q "barriers: error: MPI rank [12], cell 3: failure injected" "$tmp/fail.err" && ok ||
  bad "the failing rank and cell are not reported: $(head -c 600 "$tmp/fail.err")"
[ -e "$tmp/fail/INCOMPLETE" ] && ok || bad "a failed MPI run is not marked INCOMPLETE"
[ "$(grep -vc '^n,' "$tmp/fail/sweep.csv")" -eq 7 ] && ok || bad "expected the 7 other cells: $(cat "$tmp/fail/sweep.csv")"
timeout -k 5 120 "${mpi[@]}" "$bin" "${sweep[@]}" --out "$tmp/fail" --resume >/dev/null 2>&1 || bad "--resume under mpirun failed"
same_files "$tmp/serial" "$tmp/fail" sweep.csv sweep_plot.dat

# Refused by rank 0 (an --out that is a file): one error, every rank stops.
touch "$tmp/a_file"
timeout -k 5 60 "${mpi[@]}" "$bin" "${sweep[@]}" --out "$tmp/a_file" >/dev/null 2>"$tmp/refused.err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "a refused MPI run exited $rc, expected 2 (124: hung)"
[ "$(grep -c '^barriers: error:' "$tmp/refused.err")" -eq 1 ] && ok ||
  bad "a refused MPI run printed other than one error: $(cat "$tmp/refused.err")"

table=(table1 --K 1,3 --n 10,20 --samples 30 --validation 10 --epochs 2 --quiet)
"$bin" "${table[@]}" --out "$tmp/t_serial" >/dev/null 2>&1 || bad "serial table1 failed"
timeout -k 5 120 "${mpi[@]}" "$bin" "${table[@]}" --threads 2 --out "$tmp/t_mpi" >/dev/null 2>"$tmp/t.err" ||
  bad "mpirun table1 failed: $(head -c 600 "$tmp/t.err")"
same_files "$tmp/t_serial" "$tmp/t_mpi" table1.csv table1_settings.txt table1_plot.dat
# Every field but the measured times (columns 22-23).
cmp -s <(cut -d, -f1-21,24- "$tmp/t_serial/table1_details.csv") <(cut -d, -f1-21,24- "$tmp/t_mpi/table1_details.csv") &&
  ok || bad "table1_details.csv differs beyond the times"

# theorem: units run in two rounds (the members certified depend on the parts
# played), so a failure in either round and the resume are tested.
theorem=(theorem --n-max 3 --budgets 4,8 --trials 3 --quiet)
theorem_files=(theorem_part1.csv theorem_part2.csv theorem_part3.csv theorem_part2.dat theorem_units.txt
               theorem_settings.txt)
"$bin" "${theorem[@]}" --out "$tmp/th_serial" >"$tmp/th_serial.out" 2>&1 || bad "serial theorem failed"
timeout -k 5 300 "${mpi[@]}" "$bin" "${theorem[@]}" --out "$tmp/th_mpi" >"$tmp/th_mpi.out" 2>"$tmp/th.err" ||
  bad "mpirun theorem failed: $(head -c 600 "$tmp/th.err")"
same_files "$tmp/th_serial" "$tmp/th_mpi" "${theorem_files[@]}"
diff <(grep -v '^wrote' "$tmp/th_serial.out") <(grep -v '^wrote' "$tmp/th_mpi.out") >/dev/null && ok ||
  bad "the MPI theorem printed another report: $(diff "$tmp/th_serial.out" "$tmp/th_mpi.out" | head -5)"
units=$(grep -c $'\tend$' "$tmp/th_serial/theorem_units.txt")
for cell in 2 "$units"; do  # a unit of the first round, and the last unit (certification, second round)
  BARRIERS_MPI_FAIL_CELL=$cell timeout -k 5 300 "${mpi[@]}" -x BARRIERS_MPI_FAIL_CELL "$bin" "${theorem[@]}" \
    --out "$tmp/th_fail$cell" >/dev/null 2>"$tmp/th_fail.err"
  rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && ok || bad "theorem, failing unit $cell: exit $rc, expected a failure"
  grep -q "barriers: error: MPI rank [12], cell $cell: unit '.*': failure injected" "$tmp/th_fail.err" && ok ||
    bad "theorem: the failing rank and unit are not reported: $(head -c 600 "$tmp/th_fail.err")"
  [ -e "$tmp/th_fail$cell/INCOMPLETE" ] && ok || bad "a failed MPI theorem is not marked INCOMPLETE"
  timeout -k 5 300 "${mpi[@]}" "$bin" "${theorem[@]}" --out "$tmp/th_fail$cell" --resume >"$tmp/th_res.out" 2>&1 ||
    bad "theorem --resume under mpirun failed: $(head -c 600 "$tmp/th_res.out")"
  same_files "$tmp/th_serial" "$tmp/th_fail$cell" "${theorem_files[@]}"
done
timeout -k 5 60 "${mpi[@]}" "$bin" "${theorem[@]}" --out "$tmp/a_file" >/dev/null 2>"$tmp/th_refused.err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "a refused MPI theorem exited $rc, expected 2 (124: hung)"
[ "$(grep -c '^barriers: error:' "$tmp/th_refused.err")" -eq 1 ] && ok ||
  bad "a refused MPI theorem printed other than one error: $(cat "$tmp/th_refused.err")"
# convergence: 6 cells (2 samplings x (2 noise levels in double + MPFR)),
# two threads in each worker; then a failing cell, and refused runs.
conv=(convergence --sampling fourier,walsh --size 16 --mpfr-size 16 --type double,mpfr --bits 64 --noise 0,1e-2
      --restarts 20 --quiet)
conv_files=(convergence_cells.csv convergence_settings.txt history.csv summary.csv report.md convergence_fourier.dat
            convergence_fourier.gp convergence_walsh.dat convergence_walsh.gp mpfr_convergence.dat mpfr_convergence.gp)
"$bin" "${conv[@]}" --threads 1 --out "$tmp/c_serial" >"$tmp/c_serial.out" 2>&1 || bad "serial convergence failed"
timeout -k 5 120 "${mpi[@]}" "$bin" "${conv[@]}" --threads 2 --out "$tmp/c_mpi" >"$tmp/c_mpi.out" 2>"$tmp/c.err" ||
  bad "mpirun convergence failed: $(head -c 600 "$tmp/c.err")"
same_files "$tmp/c_serial" "$tmp/c_mpi" "${conv_files[@]}"
cmp -s "$tmp/c_serial.out" "$tmp/c_mpi.out" && ok || bad "the MPI convergence printed another report"
[ -e "$tmp/c_mpi/INCOMPLETE" ] && bad "the MPI convergence left INCOMPLETE" || ok
BARRIERS_MPI_FAIL_CELL=3 timeout -k 5 120 "${mpi[@]}" -x BARRIERS_MPI_FAIL_CELL "$bin" "${conv[@]}" --out "$tmp/c_fail" \
  >/dev/null 2>"$tmp/c_fail.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && ok || bad "convergence, failing cell: exit $rc, expected a failure"
grep -q "barriers: error: MPI rank [12], cell 3: failure injected" "$tmp/c_fail.err" && ok ||
  bad "convergence: the failing rank and cell are not reported: $(head -c 600 "$tmp/c_fail.err")"
[ -e "$tmp/c_fail/INCOMPLETE" ] && ok || bad "a failed MPI convergence is not marked INCOMPLETE"
[ -e "$tmp/c_fail/summary.csv" ] && bad "a failed MPI convergence wrote summary.csv" || ok
# Cell 3 is fourier mpfr (summary.csv order): the 5 others are kept.
[ "$(grep -vc '^sampling,' "$tmp/c_fail/convergence_cells.csv")" -eq 5 ] && ! grep -q '^fourier,mpfr,' "$tmp/c_fail/convergence_cells.csv" &&
  ok || bad "expected the 5 other cells: $(cut -c1-40 "$tmp/c_fail/convergence_cells.csv")"
timeout -k 5 120 "${mpi[@]}" "$bin" "${conv[@]}" --out "$tmp/c_fail" --resume >"$tmp/c_res.out" 2>&1 ||
  bad "convergence --resume under mpirun failed: $(head -c 600 "$tmp/c_res.out")"
same_files "$tmp/c_serial" "$tmp/c_fail" "${conv_files[@]}"
cmp -s "$tmp/c_serial.out" "$tmp/c_res.out" && ok || bad "the resumed MPI convergence printed another report"
# Refused by rank 0 (--out a file), by every rank (a bad value, a bad size):
# exit 2 and one error line, no hang.
for refused in "--out $tmp/a_file" "--noise 0,2 --out $tmp/c_bad" "--sampling walsh --size 24 --type double --out $tmp/c_bad"; do
  read -r -a extra <<<"$refused"
  timeout -k 5 60 "${mpi[@]}" "$bin" convergence --quiet "${extra[@]}" >/dev/null 2>"$tmp/c_refused.err"
  rc=$?
  [ "$rc" -eq 2 ] && ok || bad "a refused MPI convergence ($refused) exited $rc, expected 2 (124: hung)"
  [ "$(grep -c '^barriers: error:' "$tmp/c_refused.err")" -eq 1 ] && ok ||
    bad "a refused MPI convergence ($refused) printed other than one error: $(cat "$tmp/c_refused.err")"
done
[ -e "$tmp/c_bad" ] && bad "a refused MPI convergence created its --out" || ok
finish
