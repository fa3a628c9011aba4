#!/usr/bin/env bash
# Checkpoint save/restore time and size, x86 -> arm (FROM=arm for arm -> x86).
#
#   bench/checkpoint.sh                # postcopy-100mb and NPB IS class B (W when /dev/kvm is missing)
#   CLASS=A POINT=3 bench/checkpoint.sh
#
# For each program:
#  - checkpointing run: `hexo run --isa FROM --checkpoint-dir D` (NPB IS with
#    --migrate-at-point POINT; postcopy-100mb migrates by itself at its first
#    point).  It must exit 75.  "save" = first checkpoint file created ->
#    process gone (file birth times), i.e. writing the checkpoint + exit.
#  - resume run: `hexo run --isa TO --resume --checkpoint-dir D`, to the end.
#    "restore" = command start -> the guest's first line of output after the
#    migration point ("Iteration 0/10", or IS's next iteration number) (JVM start + reading the checkpoint + rebuilding the
#    state + the first printf).
#  - baseline in the same run: `hexo run --isa TO` of the hello-world guest
#    (JVM start + a plain boot), so restore/boot shows what resuming adds.
#  - bytes on disk (the checkpoint files) and pagesStored*4096 from
#    `hexo inspect --json`, against the bytes the program touched (100 MiB for
#    postcopy-100mb; the NPB IS arrays for IS).
#  - inside hexo (-Dhexo.timings=true through JAVA_TOOL_OPTIONS, lines
#    "hexo: timing: ..." on stderr): the save's pages / (first file created ->
#    every file forced and committed), in GB/s (target >= 1 for IS); the resume's
#    manifest opened -> the guest's next instruction (target <= 0.3 s) and ->
#    every page in and verified; and the command's start -> the guest's next
#    instruction (JVM start included).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FROM="${FROM:-x86}"
if [ "$FROM" = x86 ]; then TO=arm; else TO=x86; fi
CLASS=$(pick_class B W)
POINT="${POINT:-3}"
MEM="${MEM:-2G}"
ensure_hexo_built

hexo_build "$BENCH_DIR/programs/hello" "$WORK/hello"
t=()
for i in 1 2 3; do
  hexo_fresh; t0=$(now); "$HEXO" run --isa "$TO" "$WORK/hello" >/dev/null 2>&1; t+=("$(since "$t0")")
done
boot_to=$(min_of "${t[@]}")

# Earliest birth time (else mtime) among the checkpoint files in $1.
first_file_time() {
  local f ts best=""
  for f in "$1"/*; do
    ts=$(stat -c '%.9W' "$f" 2>/dev/null || echo 0)
    case "$ts" in 0|0.000000000|-|"") ts=$(stat -c '%.9Y' "$f") ;; esac
    if [ -z "$best" ] || awk -v a="$ts" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$ts; fi
  done
  echo "$best"
}

# Prints each line of stdin with the time it arrived: "SECONDS LINE".
stamp_lines() { local l; while IFS= read -r l; do printf '%s %s\n' "$(now)" "$l"; done; }

results=()
measure() {
  local name="$1" out="$2" touched="$3" check="$4" first_line="$5"; shift 5
  local ck="$WORK/ck-$name" t0 t_end rc save_wall save first disk stored resume_wall restore eng_from
  rm -rf "$ck"; mkdir -p "$ck"
  hexo_fresh; t0=$(now)
  set +e
  JAVA_TOOL_OPTIONS="-Dhexo.timings=true ${JAVA_TOOL_OPTIONS:-}" \
  "$HEXO" run --isa "$FROM" --mem "$MEM" --checkpoint-dir "$ck" "$@" "$out" >"$WORK/ck-$name.save.out" 2>"$WORK/ck-$name.save.err"
  rc=$?
  set -e
  t_end=$(now)
  [ "$rc" = 75 ] || { echo "$name: the checkpointing run exited $rc, not 75:" >&2; cat "$WORK/ck-$name.save.err" >&2; exit 1; }
  eng_from=$(engine_of "$WORK/ck-$name.save.err" "$FROM")
  save_wall=$(awk -v a="$t0" -v b="$t_end" 'BEGIN { printf "%.3f", b - a }')
  first=$(first_file_time "$ck")
  save=$(awk -v a="$first" -v b="$t_end" 'BEGIN { printf "%.3f", b - a }')
  disk=$(du -cb "$ck"/*.bin* | awk 'END { print $1 }')
  "$HEXO" inspect "$ck" --json >"$WORK/ck-$name.json"
  grep -q '"valid": *true' "$WORK/ck-$name.json" || { echo "$name: hexo inspect says the checkpoint is not valid" >&2; exit 1; }
  stored=$(awk -F: '/"pagesStored"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s * 4096 }' "$WORK/ck-$name.json")

  hexo_fresh; t0=$(now)
  set +e
  JAVA_TOOL_OPTIONS="-Dhexo.timings=true ${JAVA_TOOL_OPTIONS:-}" \
  "$HEXO" run --isa "$TO" --mem "$MEM" --resume --checkpoint-dir "$ck" "$out" 2>"$WORK/ck-$name.resume.err" \
    | stamp_lines >"$WORK/ck-$name.resume.out"
  rc=${PIPESTATUS[0]}
  set -e
  t_end=$(now)
  [ "$rc" = 0 ] || { echo "$name: the resumed run exited $rc:" >&2; cat "$WORK/ck-$name.resume.err" >&2; exit 1; }
  # The JVM's own log lines ("[0.03s][warning][cds...]") are not the guest's: note and drop them.
  if grep -Eq '^[0-9.]+ \[[0-9.]+s\]\[(warning|error)\]' "$WORK/ck-$name.resume.out"; then
    echo "warning: hexo printed JVM log lines on stdout, mixed into the guest's output:" >&2
    grep -E '^[0-9.]+ \[[0-9.]+s\]\[(warning|error)\]' "$WORK/ck-$name.resume.out" | cut -d' ' -f2- | sed 's/^/  /' >&2
  fi
  grep -Ev '^[0-9.]+ \[[0-9.]+s\]\[(warning|error)\]' "$WORK/ck-$name.resume.out" | cut -d' ' -f2- >"$WORK/ck-$name.resume.txt"
  $check "$WORK/ck-$name.resume.txt" || { echo "$name: the resumed run's output is wrong (see $WORK/ck-$name.resume.txt)" >&2; exit 1; }
  resume_wall=$(awk -v a="$t0" -v b="$t_end" 'BEGIN { printf "%.3f", b - a }')
  restore=$(awk -v a="$t0" -v re="$first_line" '{ l = $0; sub(/^[^ ]* /, "", l) } l ~ re { printf "%.3f", $1 - a; exit }' "$WORK/ck-$name.resume.out")

  # hexo's own timings ("hexo: timing: save: 276.8 MB of pages, ... in 0.262 s (1.06 GB/s)").
  save_in=$(sed -n 's/^hexo: timing: save: .* in \([0-9.]*\) s (\([0-9.]*\) GB\/s).*/\1 s, \2 GB\/s/p' "$WORK/ck-$name.save.err" | tail -1)
  save_gbs=$(sed -n 's/^hexo: timing: save: .* (\([0-9.]*\) GB\/s).*/\1/p' "$WORK/ck-$name.save.err" | tail -1)
  next_in=$(sed -n "s/^hexo: timing: resume: manifest opened -> guest's next instruction \([0-9.]*\) s.*/\1/p" "$WORK/ck-$name.resume.err" | tail -1)
  next_at=$(sed -n "s/^hexo: timing: resume: manifest opened -> guest's next instruction .* (at epoch \([0-9.]*\)).*/\1/p" "$WORK/ck-$name.resume.err" | tail -1)
  next_wall=$(awk -v a="$t0" -v b="$next_at" 'BEGIN { if (b == "") print "n/a"; else printf "%.3f", b - a }')
  all_in=$(sed -n 's/^hexo: timing: resume: manifest opened -> every page in and verified .* \([0-9.]*\) s (at.*/\1/p' "$WORK/ck-$name.resume.err" | tail -1)

  echo "$name: $FROM ($eng_from) -> $TO ($(engine_of "$WORK/ck-$name.resume.err" "$TO"))"
  row "checkpointing run, wall (exits 75)" "$save_wall s"
  row "save: first checkpoint file -> process gone" "$save s"
  row "  in hexo: first file -> committed, pages / time" "${save_in:-n/a}"
  row "resume run to the end, wall" "$resume_wall s"
  row "  in hexo: manifest opened -> guest's next instr." "${next_in:-n/a} s"
  row "  command start -> guest's next instruction" "$next_wall s"
  row "  in hexo: manifest opened -> every page verified" "${all_in:-n/a} s"
  row "restore: resume start -> first guest output" "$restore s"
  row "  restore / plain boot of hello on $TO" "$(ratio "$restore" "$boot_to")"
  row "checkpoint files on disk (du -b *.bin*)" "$disk bytes"
  row "pagesStored x 4096 (hexo inspect)" "$stored bytes"
  row "bytes the program touched" "$touched bytes"
  row "  on-disk / touched" "$(ratio "$disk" "$touched")"
  row "  pages stored / touched" "$(ratio "$stored" "$touched")"
  results+=("$name: disk/touched $(ratio "$disk" "$touched"), restore/boot $(ratio "$restore" "$boot_to"), save ${save}s, save ${save_gbs:-n/a} GB/s (target >= 1), resume to next instruction ${next_in:-n/a} s in hexo (target <= 0.3), ${next_wall} s with JVM start")
}

pc_ok() { diff -q "$1" "$SAMPLES/postcopy-100mb/expected.txt" >/dev/null; }
is_ok() { npb_verified "$1"; }

hexo_build "$SAMPLES/postcopy-100mb" "$WORK/postcopy-100mb"
hexo_build "$SAMPLES/npb-is" "$WORK/npb-is-$CLASS" "-DCLASS=$CLASS"

echo "Checkpoint save / restore, $FROM -> $TO"
hr
row "baseline: hexo run --isa $TO hello (best of 3)" "$boot_to s"
hr
measure postcopy-100mb "$WORK/postcopy-100mb" $((100 * 1024 * 1024)) pc_ok '^Iteration [0-9]+/10$'
hr
measure "npb-is-$CLASS" "$WORK/npb-is-$CLASS" "$(npb_footprint "$CLASS")" is_ok '^ *[0-9]+$' --migrate-at-point "$POINT"
hr
echo "ratio ${results[0]}; ${results[1]}"
