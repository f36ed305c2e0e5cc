#!/usr/bin/env bash
# --out is user text that reaches gnuplot scripts and the file system. Every
# command that writes files must (1) treat any directory name as a name: quotes,
# backslashes, newlines, $(...), backticks, ';', spaces, '@' and non-UTF-8
# bytes never run anything (a canary payload would create a file PWNED) and
# no file appears outside --out; (2) on a full disk exit non-zero naming the
# path and the reason, print no "wrote" line, leave the INCOMPLETE marker and
# no partial file under a final name.
# Usage: test_output_safety.sh path/to/barriers
set -u
bin=$(readlink -f "$1")   # absolute: the runs below change directory
source "$(dirname "$0")/cli_test_lib.bash"

printf '1, 0.5, 0, -1\n0, 2, 1, 0\n1/3, 0, 1, 1\n' >"$tmp/A.csv"
printf '0.5\n2\n0\n' >"$tmp/y.csv"

# Cheap runs of every command that writes --out, and the plot each renders.
declare -A run png
run[oracle]="oracle --instance dct --size 4 --n 10"
run[solve]="solve --A $tmp/A.csv --y $tmp/y.csv --problem p3 --lambda 1/10 --solver pdhg --iters 300"
png[solve]=convergence.png
run[sweep]="sweep --size 10x20 --sparsity 2 --n 10 --bits 53 --iters 10 --quiet"
png[sweep]=sweep.png
run[table1]="table1 --K 1 --n 10 --samples 10 --validation 5 --epochs 1 --restarts 2 --inner 2 --quiet"
png[table1]=table1.png
run[theorem]="theorem --K 3 --n-max 2 --budgets 4 --trials 0 --solvers none --quiet"
png[theorem]=theorem.png
commands="oracle solve sweep table1 theorem"
have_gnuplot=no
command -v gnuplot >/dev/null && have_gnuplot=yes

# count PATH: entries directly in PATH (names may hold newlines, so not wc -l).
count() { find "$1" -mindepth 1 -maxdepth 1 -printf x | wc -c; }
# A PNG is complete when it ends with the IEND chunk.
complete_png() { [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "49454e44ae426082" ]; }

# ---- (1) hostile directory names ----
# The files each command writes into a plainly named directory: a hostile
# name must give exactly these, with the same names.
declare -A listing
for c in $commands; do
  # shellcheck disable=SC2086
  "$bin" ${run[$c]} --out "$tmp/plain/$c" >"$tmp/out" 2>"$tmp/err" || bad "$c --out (plain name) failed: $(head -c 300 "$tmp/err")"
  listing[$c]=$(ls -A "$tmp/plain/$c" | tr '\n' ' ')
  if [ -n "${png[$c]:-}" ] && [ "$have_gnuplot" = yes ]; then
    [ -s "$tmp/plain/$c/${png[$c]}" ] && complete_png "$tmp/plain/$c/${png[$c]}" && ok ||
      bad "$c did not render ${png[$c]}: $(head -c 300 "$tmp/err")"
  fi
done
names=(
  "quote'in"
  "x'; system 'touch PWNED'; print '"
  "x\"; system \"touch PWNED\"; print \""
  'back\slash\'
  $'new\nline\nset output "PWNED"'
  '$(touch PWNED)'
  '`touch PWNED`'
  "semi;colon; ! touch PWNED"
  "with  spaces "
  "@GPVAL_PWD@macro"
  $'latin1 caf\xe9 \xff\xfe'
  "-dash"
)
k=0
for c in $commands; do
  for name in "${names[@]}"; do
    k=$((k + 1))
    work="$tmp/work$k"
    mkdir "$work"
    out="$work/$name"
    # shellcheck disable=SC2086
    (cd "$work" && exec timeout 120 "$bin" ${run[$c]} --out "$out") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    label="$c --out $(printf '%q' "$name")"
    [ "$rc" -eq 0 ] && ok || { bad "$label exited $rc: $(head -c 300 "$tmp/err")"; continue; }
    [ -z "$(find "$tmp" -name PWNED)" ] && ok || bad "$label: the payload ran (PWNED created)"
    [ "$(count "$work")" -eq 1 ] && [ -d "$out" ] && ok || bad "$label: files created outside --out"
    [ "$(ls -A "$out" | tr '\n' ' ')" = "${listing[$c]}" ] && ok ||
      bad "$label: files in --out differ from a plain run: $(ls -A "$out" | tr '\n' ' ') (plain: ${listing[$c]})"
    if [ -n "${png[$c]:-}" ] && [ "$have_gnuplot" = yes ]; then
      complete_png "$out/${png[$c]}" && ok || bad "$label: ${png[$c]} is not a complete PNG"
    fi
  done
done
# The script a plot runs names its files plainly and holds no part of the path.
grep -q "PWNED" "$tmp"/work*/*/sweep.gp && bad "the --out path leaked into sweep.gp" || ok

# ---- (2) a full disk (a small tmpfs; needs root, as in CI) ----
if ! mount_full_fs "$tmp/full" 64; then
  echo "note: cannot mount a tmpfs here (not root?); disk-full cases skipped"
  finish
  exit
fi
# check_failed LABEL DIR MARKER: the last run failed cleanly on the full disk.
check_failed() {
  local label="$1" dir="$2" marker="$3"
  [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && ok || bad "$label: exit $rc on a full disk"
  [ "$(grep -c '^barriers: error: ' "$tmp/err")" -eq 1 ] && ok || bad "$label: not one error line: $(head -c 300 "$tmp/err")"
  grep '^barriers: error: ' "$tmp/err" | grep -q "No space left on device" && ok ||
    bad "$label: error does not give the reason: $(head -c 300 "$tmp/err")"
  grep '^barriers: error: ' "$tmp/err" | grep -qF "$dir" && ok ||
    bad "$label: error does not name the path: $(head -c 300 "$tmp/err")"
  grep -q "wrote" "$tmp/out" "$tmp/err" && bad "$label: printed a 'wrote' line on a full disk" || ok
  if [ "$marker" = yes ]; then
    [ -f "$dir/INCOMPLETE" ] && ok || bad "$label: the INCOMPLETE marker is gone"
  fi
  no_final_files "$dir"
}
# Room for nothing, then room for the marker alone (tmpfs counts 4 kB pages).
for room in 0 1; do
  for c in $commands; do
    rm -rf "${tmp:?}/full/"*
    head -c $(((16 - room) * 4096)) /dev/zero >"$tmp/full/filler" 2>/dev/null
    # shellcheck disable=SC2086
    timeout 120 "$bin" ${run[$c]} --out "$tmp/full/$c" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check_failed "$c on a full disk (room for $room pages)" "$tmp/full/$c" "$([ $room = 1 ] && echo yes || echo no)"
  done
done
# Room for the data but not for the whole plot: gnuplot exits 0 even when it
# cannot finish the PNG, and a cut PNG must not stay under its final name.
if [ "$have_gnuplot" = yes ]; then
  for c in solve sweep table1 theorem; do
    rm -rf "${tmp:?}/full/"*
    # Pages for the marker and every file but the PNG, plus one: never enough for these plots.
    need=$(find "$tmp/plain/$c" -type f ! -name "${png[$c]}" -printf '%s\n' |
      awk '{p += int(($1 + 4095) / 4096)} END {print p + 2}')
    if [ "$need" -ge 16 ]; then echo "note: $c writes too much for the 64 kB plot case; skipped"; continue; fi
    head -c $(((16 - need) * 4096)) /dev/zero >"$tmp/full/filler" 2>/dev/null
    # shellcheck disable=SC2086
    timeout 120 "$bin" ${run[$c]} --out "$tmp/full/$c" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    label="$c with no room for ${png[$c]}"
    if [ -e "$tmp/full/$c/${png[$c]}" ]; then
      complete_png "$tmp/full/$c/${png[$c]}" && ok || bad "$label: a cut ${png[$c]} was left under its name"
    fi
    if [ "$rc" -eq 0 ]; then
      [ -e "$tmp/full/$c/${png[$c]}" ] || grep -q "gnuplot" "$tmp/err" && ok || bad "$label: exit 0, no PNG, no note"
    else
      [ "$rc" -lt 128 ] && [ "$(grep -c '^barriers: error: ' "$tmp/err")" -eq 1 ] && ok ||
        bad "$label: exit $rc: $(head -c 300 "$tmp/err")"
      grep '^barriers: error: ' "$tmp/err" | grep -qF "${png[$c]}" && ok || bad "$label: error does not name the PNG"
      grep -q "wrote" "$tmp/out" "$tmp/err" && bad "$label: printed a 'wrote' line" || ok
      [ -f "$tmp/full/$c/INCOMPLETE" ] && ok || bad "$label: the INCOMPLETE marker is gone"
    fi
  done
fi

finish
