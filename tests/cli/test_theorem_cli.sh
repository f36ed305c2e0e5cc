#!/usr/bin/env bash
# End-to-end checks of `barriers theorem`: every claim passes, files are written,
# bad parameters give one error line.
# Usage: test_theorem_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# Under `make sanitize` (BARRIERS_SANITIZE_PROFILE=1, 10-20 times slower) the same checks run at
# smaller settings: fewer seeds and n, and the coarse sweep keeps its two cheapest cases.
small=0
[ "${BARRIERS_SANITIZE_PROFILE:-}" = 1 ] && small=1
if [ "$small" = 1 ]; then trials=4 nmax=4 solvers=none; else trials=20 nmax=6 solvers=pdhg; fi

"$bin" theorem --K 3 --n-max "$nmax" --budgets 4,12 --trials "$trials" --out "$tmp/t" >"$tmp/out" 2>"$tmp/err" ||
  bad "theorem failed: $(cat "$tmp/err") $(cat "$tmp/out")"
grep -q "^ALL PASS: 0 claim(s) failed" "$tmp/out" && ok || bad "theorem: not all claims passed: $(cat "$tmp/out")"
grep -q "FAIL " "$tmp/out" && bad "theorem printed a FAIL line" || ok
# Part 1 plays the two deterministic class algorithms and the two default solvers (p3), then four
# randomised algorithms on one fixed pair; part 2 plays the randomised ones over the N1 members.
[ "$(grep -c "identical data and the larger distance > 10^-3" "$tmp/out")" -eq 4 ] && ok ||
  bad "theorem: expected 4 deterministic part-1 claims: $(cat "$tmp/out")"
[ "$(grep -c "PASS  random-.*never both members from identical data" "$tmp/out")" -eq 4 ] && ok ||
  bad "theorem: expected 4 randomised part-1 claims: $(cat "$tmp/out")"
[ "$(grep -c "PASS  random-.*M = .*: some V(j, n) has P(fail or more than M bits) >= 0.5" "$tmp/out")" -eq 8 ] && ok ||
  bad "theorem: expected 8 randomised part-2 claims: $(cat "$tmp/out")"
for f in theorem_part1.csv theorem_part2.csv theorem_part3.csv theorem.png; do
  [ -s "$tmp/t/$f" ] && ok || bad "theorem did not write $f"
done
# Part 2 rows: V and U members for j = 1, 2 and n = 1..nmax, plus the limit, under three oracle policies.
rows=$((3 * (4 * nmax + 1)))
[ "$(wc -l <"$tmp/t/theorem_part2.csv")" -eq $((rows + 1)) ] && ok || bad "theorem_part2.csv should have $rows rows"
head -1 "$tmp/t/theorem_part2.csv" |
  grep -qx "member,scale,j,n,policy,queries,max_bits_read,dist_upper,min_dist_upper,verdict" && ok ||
  bad "theorem_part2.csv header"
[ "$(grep -c ",yes$" "$tmp/t/theorem_part2.csv")" -eq "$rows" ] && ok || bad "theorem_part2.csv: $rows rows with verdict yes"
for policy in nearest random adversarial; do
  [ "$(grep -c ",$policy," "$tmp/t/theorem_part2.csv")" -eq $((rows / 3)) ] && ok ||
    bad "theorem_part2.csv: $((rows / 3)) $policy rows"
done

# A precision cap too low to decide the distances near 10^-3 (grid 2^-8): claims that rest on them
# are UNDECIDED, never PASS or FAIL (they used to be FAIL), and the run exits 1 naming the members,
# the threshold and the bits reached.
"$bin" theorem --K 3 --n-max 2 --budgets 8 --trials 4 --solvers none --max-bits 16 --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "theorem --max-bits 16 exited $rc, expected 1"
grep -q "^  UNDECIDED  decider: identical data and the larger distance > 10^-3 (U(1, n=6) and U(2, n=6) against 10^-3: undecided at 16 bits" "$tmp/out" && ok ||
  bad "theorem --max-bits 16: no UNDECIDED part-1 line: $(cat "$tmp/out")"
grep -q "^  UNDECIDED  random-vertex: never both" "$tmp/out" && ok || bad "theorem --max-bits 16: randomised part 1 not UNDECIDED"
grep -q "FAIL" "$tmp/out" && bad "theorem --max-bits 16 printed FAIL: $(grep FAIL "$tmp/out")" || ok
grep -q "^UNDECIDED: [0-9]* claim(s) undecided" "$tmp/out" && ok || bad "theorem --max-bits 16: summary line"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^barriers: error: .* undecided at the precision cap, first: decider: .*U(1, n=6) and U(2, n=6) against 10^-3: undecided at 16 bits" "$tmp/err" && ok ||
  bad "theorem --max-bits 16: error line: $(cat "$tmp/err")"

# R = 3 samples per member (sup over S decides, min over S shown) and one measurement row (N2 = 0).
if [ "$small" = 1 ]; then R=2 rargs="--n-max 2 --trials 2"; else R=3 rargs="--n-max 3 --trials 4"; fi
"$bin" theorem --K 3 $rargs --budgets 8 --solvers "$solvers" --samples "$R" --quiet >"$tmp/out" 2>&1 &&
  grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem --samples $R: $(cat "$tmp/out")"
grep -q "R = $R samples" "$tmp/out" && grep -q "(sup over S; min over S" "$tmp/out" && ok ||
  bad "theorem --samples $R does not report sup and min over S: $(cat "$tmp/out")"
for problem in p1 p2 p3; do
  "$bin" theorem --problem "$problem" --K 3 --N2 0 --n-max 3 --budgets 8 --trials 4 --quiet >"$tmp/out" 2>&1 &&
    grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem --problem $problem --N2 0: $(cat "$tmp/out")"
done

# Resume: a run killed (TERM) after some units were saved, then resumed, writes the same files and
# prints the same report as an uninterrupted run.
if [ "$small" = 1 ]; then rargs=(--n-max 4 --trials 2); else rargs=(--n-max 8 --trials "$trials"); fi
args=(theorem --K 3 "${rargs[@]}" --budgets 4,8 --solvers "$solvers" --quiet)
"$bin" "${args[@]}" --out "$tmp/whole" >"$tmp/whole.out" 2>&1 || bad "theorem (uninterrupted) failed"
"$bin" "${args[@]}" --out "$tmp/cut" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 6000); do
  grep -q $'^part2 n=2\tend' "$tmp/cut/theorem_units.txt" 2>/dev/null && break
  sleep 0.02
done
kill -TERM "$pid"
wait "$pid"
[ -e "$tmp/cut/INCOMPLETE" ] && ok || bad "theorem was not killed mid-run (no INCOMPLETE marker)"
grep -q $'^part2 n=2\tend' "$tmp/cut/theorem_units.txt" && ok || bad "theorem saved no finished units before the kill"
grep -q "^certify" "$tmp/cut/theorem_units.txt" && bad "theorem finished before the kill: the resume test is vacuous" || ok
"$bin" "${args[@]}" --out "$tmp/cut" --resume >"$tmp/cut.out" 2>"$tmp/cut.err" || bad "theorem --resume failed: $(cat "$tmp/cut.err")"
for f in theorem_part1.csv theorem_part2.csv theorem_part3.csv theorem_part2.dat theorem_units.txt; do
  cmp -s "$tmp/whole/$f" "$tmp/cut/$f" && ok || bad "resumed $f differs from the uninterrupted run's"
done
[ -e "$tmp/cut/INCOMPLETE" ] && bad "resumed run left INCOMPLETE" || ok
diff <(grep -v "^wrote" "$tmp/whole.out") <(grep -v "^wrote" "$tmp/cut.out") >/dev/null && ok ||
  bad "resumed report differs: $(diff <(grep -v "^wrote" "$tmp/whole.out") <(grep -v "^wrote" "$tmp/cut.out"))"
expect_error "--resume: the saved cells in" "${args[@]/--trials/--seed}" --out "$tmp/cut" --resume
expect_error "--resume needs --out DIR" theorem --resume

# Damaged or hostile saved units are refused with one line, before any work; none is replayed.
damaged() {  # damaged "<expected substring>" <command that damages $tmp/dmg>...
  local want="$1"; shift
  rm -rf "$tmp/dmg" && cp -r "$tmp/whole" "$tmp/dmg" && "$@"
  expect_rejected 2 "$want" "${args[@]}" --out "$tmp/dmg" --resume
}
units="$tmp/dmg/theorem_units.txt"
damaged "is not a theorem unit (too few fields)" sh -c "echo 'garbage line' >>'$units'"
damaged "(not a verdict: maybe)" sed -i "0,/\tclaim\tyes/s//\tclaim\tmaybe/" "$units"
damaged "is not a theorem unit (a control character)" sed -i "0,/\ttext\t/s//\ttext\t\x1b[31m/" "$units"
damaged "is not a theorem unit (a control character)" sh -c "printf 'x\\000y\\tend\\n' >>'$units'"
damaged "does not start with the theorem_units.txt header" sed -i 's/$/\r/' "$units"
damaged "does not start with the theorem_units.txt header" sed -i 1d "$units"
damaged "theorem_units.txt' is not a regular file" sh -c "rm '$units' && mkdir '$units'"
damaged "theorem_units.txt' is not a regular file" sh -c "rm '$units' && ln -s /dev/zero '$units'"
damaged "theorem_settings.txt' is not a regular file" sh -c "rm '$tmp/dmg/theorem_settings.txt' && mkfifo '$tmp/dmg/theorem_settings.txt'"

# A long tail: with N2 = 150 the adversary used to fail to match U(lim)'s bits at n = m + 2
# ("identical data: no", four FAIL lines).
# (Under the sanitizer profile the library test of the same property, test_theorem_class, covers it.)
if [ "$small" = 0 ]; then
  "$bin" theorem --K 3 --N2 150 --n-max 1 --budgets 4 --trials 0 --solvers pdhg --quiet >"$tmp/out" 2>&1 &&
    grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem --N2 150: $(cat "$tmp/out")"
  grep -q "identical data: no" "$tmp/out" && bad "theorem --N2 150: identical data: no" || ok
fi

# A coarse sweep over the documented ranges (K 3..100, N1 >= 2, N2 >= 1, N1 + N2 <= 256, n-max,
# every problem), cheap settings: every claim must pass.
# (The sanitizer profile keeps the first two.)
case_number=0
while read -r args; do
  case_number=$((case_number + 1))
  [ "$small" = 1 ] && [ "$case_number" -gt 2 ] && continue
  "$bin" theorem $args --budgets 4 --trials 4 --solvers none --quiet >"$tmp/out" 2>&1 &&
    grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem $args: $(grep -E "FAIL|UNDECIDED|error" "$tmp/out")"
done <<'CASES'
--problem p1 --K 3 --N1 2 --N2 1 --n-max 1
--problem p2 --K 3 --N1 9 --N2 0 --n-max 3
--problem p3 --K 100 --N1 2 --N2 20 --n-max 2
--problem p1 --K 60 --N1 3 --N2 5 --n-max 2
--problem p3 --K 4 --N1 6 --N2 100 --n-max 1 --no-dct
--problem p3 --K 3 --N1 2 --N2 20 --n-max 24
CASES

# Other problems and an MPFR solver run.
"$bin" theorem --problem p1 --K 4 --n-max 3 --budgets 8 --trials 0 --type mpfr --bits 128 >"$tmp/out" 2>&1 &&
  grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem p1 mpfr: $(cat "$tmp/out")"

expect_error "--samples 0 is out of range" theorem --samples 0
expect_error "--samples 65 is out of range" theorem --samples 65
expect_error "--max-bits 15 is out of range" theorem --max-bits 15

expect_error "K = 2 is too small for the theorem's class" theorem --K 2
expect_error "--n-max 0 is out of range" theorem --n-max 0
expect_error "--budgets 3 is out of range" theorem --budgets 3
expect_error "--n-max 257 is out of range" theorem --n-max 257
expect_error "unknown solver" theorem --solvers pdhg,magic
# Every option is checked before any work: fista (a p2 solver) is refused before LISTA would train.
expect_error "solver 'fista' solves the LASSO" theorem --solvers lista,fista
expect_error "--solvers '' names no solver" theorem --solvers ""
expect_error "names no solver" theorem --solvers ,
expect_error "--type applies to solvers, but --solvers is none" theorem --solvers none --type mpfr
expect_error "--solver-bits applies to solvers" theorem --solvers none --solver-bits 20
expect_error "--bits applies to --type mpfr only" theorem --bits 100
expect_error "unknown type 'quad'" theorem --type quad
expect_error "--trials 3: every built-in solver is deterministic" adversary --trials 3
expect_error "--iterations applies to --solver pdhg or fista only" adversary --solver firenet --iterations 5
expect_error "--restarts applies to --solver firenet or warpd-sr only" adversary --restarts 5
expect_error "--bits applies to --type mpfr only" adversary --bits 100
expect_error "delta = 1/4 is out of range" theorem --delta 1/4
expect_error "N1 + N2 = 257 is too large for the theorem's class" theorem --N2 255
finish
