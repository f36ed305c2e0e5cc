# --shard I/N and `barriers merge`: shards of a sweep and of table1, merged and
# finished with --resume, give the files of a serial run byte for byte; bad
# shard specs and inconsistent shards are refused with one line.
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

same_files() {  # same_files DIR_A DIR_B FILE...: byte-identical files
  local a="$1" b="$2"; shift 2
  for f in "$@"; do
    cmp -s "$a/$f" "$b/$f" && ok || bad "$f differs between $a and $b"
  done
}

sweep=(sweep --size 8x16 --sparsity 2 --n 10,20 --bits 53,113 --iters 20,40 --quiet)
"$bin" "${sweep[@]}" --out "$tmp/serial" >/dev/null 2>&1 || bad "serial sweep failed"
for i in 1 2 3; do
  "$bin" "${sweep[@]}" --shard "$i/3" --out "$tmp/s$i" >/dev/null 2>"$tmp/err" || bad "sweep shard $i/3 failed: $(cat "$tmp/err")"
done
# The shards partition the 8 cells: 3 + 3 + 2, none twice.
rows=$(cat "$tmp"/s[123]/sweep.csv | grep -vc '^n,')
[ "$rows" -eq 8 ] && ok || bad "the three sweep shards hold $rows cells, expected 8"
"$bin" merge --out "$tmp/merged" "$tmp/s1" "$tmp/s2" "$tmp/s3" >"$tmp/out" 2>&1 || bad "merge failed: $(cat "$tmp/out")"
grep -q "merged 8 cells of 3 shards" "$tmp/out" && ok || bad "merge report: $(cat "$tmp/out")"
[ -e "$tmp/merged/INCOMPLETE" ] && ok || bad "a merged directory is not complete before --resume"
"$bin" "${sweep[@]}" --out "$tmp/merged" --resume >"$tmp/out" 2>&1 || bad "sweep --resume on the merged cells failed"
[ "$(grep -c "(resumed)" "$tmp/out")" -eq 8 ] && ok || bad "--resume recomputed merged cells: $(cat "$tmp/out")"
same_files "$tmp/serial" "$tmp/merged" sweep.csv sweep_settings.txt sweep_plot.dat sweep.gp
[ -e "$tmp/merged/INCOMPLETE" ] && bad "the finished merge is still INCOMPLETE" || ok
# An output path with a space, a quote, a '$' and non-ASCII bytes: the
# suggested --resume line must give the shell back exactly that path.
odd="$tmp/it's a \$HOME dir é"
"$bin" merge --out "$odd" "$tmp/s1" "$tmp/s2" "$tmp/s3" >"$tmp/out" 2>&1 || bad "merge into an odd path failed: $(cat "$tmp/out")"
word=$(sed -n 's/^finish with: .* --out \(.*\) --resume$/\1/p' "$tmp/out")
[ -n "$word" ] && [ "$(eval "printf '%s' $word")" = "$odd" ] && ok || bad "suggested --out word $word does not give back the path"
"$bin" "${sweep[@]}" --out "$odd" --resume >/dev/null 2>&1 || bad "--resume into the odd path failed"
same_files "$tmp/serial" "$odd" sweep.csv
# A missing shard: merge keeps what there is and --resume computes the rest.
"$bin" merge --out "$tmp/partial" "$tmp/s1" "$tmp/s3" >/dev/null 2>&1 || bad "merge of two shards failed"
"$bin" "${sweep[@]}" --out "$tmp/partial" --resume >/dev/null 2>&1 || bad "--resume after a partial merge failed"
same_files "$tmp/serial" "$tmp/partial" sweep.csv sweep_plot.dat

table=(table1 --K 1,3 --n 10,20 --samples 30 --validation 10 --epochs 2 --quiet)
"$bin" "${table[@]}" --out "$tmp/t_serial" >/dev/null 2>&1 || bad "serial table1 failed"
for i in 1 2; do
  "$bin" "${table[@]}" --shard "$i/2" --out "$tmp/t$i" >/dev/null 2>"$tmp/err" || bad "table1 shard $i/2 failed: $(cat "$tmp/err")"
done
"$bin" merge --out "$tmp/t_merged" "$tmp/t1" "$tmp/t2" >/dev/null 2>&1 || bad "table1 merge failed"
"$bin" "${table[@]}" --out "$tmp/t_merged" --resume >/dev/null 2>&1 || bad "table1 --resume on merged cells failed"
same_files "$tmp/t_serial" "$tmp/t_merged" table1.csv table1_settings.txt table1_plot.dat
# Every field but the measured times (lista_seconds, firenet_seconds; the last two columns of report.md's
# second table), which differ between any two runs.
cut -d, -f1-21,24- "$tmp/t_serial/table1_details.csv" >"$tmp/a" && cut -d, -f1-21,24- "$tmp/t_merged/table1_details.csv" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "table1_details.csv differs beyond the times"
head -1 "$tmp/t_serial/table1_details.csv" | cut -d, -f22,23 | grep -qx "lista_seconds,firenet_seconds" && ok ||
  bad "table1_details.csv columns 22-23 are not the times"
strip_times() { sed -E 's/^(\| [0-9]+ \| [0-9]+ \| [^|]+\| [^|]+\| [0-9]+ )\|.*/\1/' "$1"; }
cmp -s <(strip_times "$tmp/t_serial/report.md") <(strip_times "$tmp/t_merged/report.md") && ok ||
  bad "report.md differs beyond the times: $(diff <(strip_times "$tmp/t_serial/report.md") <(strip_times "$tmp/t_merged/report.md") | head -5)"

# Bad shard specifications and inconsistent shards.
for spec in 0/3 4/3 3 a/b 1/0 -1/2 "1/2/3"; do
  expect_rejected 2 "--shard" "${sweep[@]}" --shard "$spec" --out "$tmp/bad"
done
expect_rejected 2 "--shard needs --out" "${sweep[@]}" --shard 1/2
expect_rejected 2 "--shard needs --out" "${table[@]}" --shard 1/2
"$bin" sweep --size 8x16 --sparsity 2 --n 10 --bits 53 --iters 20 --seed 7 --quiet --out "$tmp/other" >/dev/null 2>&1
expect_rejected 2 "were run with different settings" merge --out "$tmp/bad" "$tmp/s1" "$tmp/other"
expect_rejected 2 "is not a sweep run" merge --out "$tmp/bad" "$tmp/s1" "$tmp/t1"
cp -r "$tmp/s2" "$tmp/s2x" && sed -i '2s/,ok,[^,]*,/,ok,0,/' "$tmp/s2x/sweep.csv"
expect_rejected 2 "differs between shards" merge --out "$tmp/bad" "$tmp/s2" "$tmp/s2x"
mkdir -p "$tmp/empty"
expect_rejected 2 "holds no saved cells" merge --out "$tmp/bad" "$tmp/empty"
expect_rejected 2 "is not a directory" merge --out "$tmp/bad" "$tmp/nonexistent"
expect_rejected 2 "shards" merge --out "$tmp/bad"
printf 'n,bits\ngarbage\n' >"$tmp/s2x/sweep.csv"
expect_rejected 2 "header" merge --out "$tmp/bad" "$tmp/s1" "$tmp/s2x"
no_final_files "$tmp/bad"
finish
