#!/usr/bin/env bash
# Post-copy migration (--full-chkpt-save 0 / --full-chkpt-restore 0) against checkpoint/restart, x86 -> x86.
#
#   bench/postcopy.sh            # 10 MiB and 1 GiB guests, postcopy-100mb, NPB IS class B (W without /dev/kvm)
#   FROM=x86 TO=arm bench/postcopy.sh
#
# Measured in one run (timestamps of stderr lines; the guest kernel's own lines come with --verbose):
#  - resume latency with a destination started before the migration point (--wait): the guest waits for a
#    file before its point; the destination is started, says it waits, then the file is created. Figures
#    from inside the two JVMs: the source's point -> minimal checkpoint sent (its clock), plus the
#    destination's arrival -> guest's next instruction (its clock); cross-checked by the two processes'
#    CLOCK_MONOTONIC stamps (one clock for every process on this host: destination's resume - source's point).
#  - resume latency with the destination started after the point: the source's own figure (migration point -> minimal checkpoint written and pages
#    served, measured inside its JVM: this VM's cores disagree about the wall clock by seconds, so stamps
#    taken by two processes are not compared), and destination command start -> "resumed at migration
#    point", against a plain boot of hello (command start -> its output) in the same run: what resuming
#    adds to starting hexo.
#  - total completion: source command start -> destination exit, post-copy vs checkpoint/restart
#    (full save, then --resume), for postcopy-100mb and NPB IS.
#  - page-fault service time: the destination's progress line (VMM side: noticed -> block installed), and how
#    long the source's map of data pages took to come (protocol 4: asked for by the prefetcher as the guest resumes).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FROM="${FROM:-x86}"; TO="${TO:-x86}"
CLASS=$(pick_class B W)
ensure_hexo_built

stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$(now)" "$l"; done; }
at() { awk -v p="$2" 'index($0, p) { print $1; exit }' "$1"; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

mkdir -p "$WORK/pc-guest"
cat > "$WORK/pc-guest/guest.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <hermit/migration.h>
/* MB MiB that all hold data, the file "go" waited for, a migration point, then every page read once. */
extern void sys_msleep(int ms);
int main(void) {
    size_t n = (size_t)MB << 18;
    unsigned *a = malloc(n * sizeof *a);
    for (size_t i = 0; i < n; i++) a[i] = (unsigned)i * 2654435761u;
    FILE *f;
    while (!(f = fopen("go", "r"))) sys_msleep(5);
    fclose(f);
    force_migration_flag(1);
    popcorn_check_migrate();
    unsigned long long sum = 0;
    for (size_t i = 0; i < n; i += 1024) sum += a[i];
    printf("sum %llu\n", sum);
    return 0;
}
C
hexo_build "$BENCH_DIR/programs/hello" "$WORK/hello"
hexo_build "$WORK/pc-guest" "$WORK/pc-guest-10" "-DMB=10"
hexo_build "$WORK/pc-guest" "$WORK/pc-guest-1024" "-DMB=1024"
hexo_build "$SAMPLES/postcopy-100mb" "$WORK/postcopy-100mb"
hexo_build "$SAMPLES/npb-is" "$WORK/npb-is-$CLASS" "-DCLASS=$CLASS"

t=()
for i in 1 2 3; do
  t0=$(now); "$HEXO" run --isa "$TO" "$WORK/hello" >/dev/null 2>&1; t+=("$(since "$t0")")
done
boot=$(min_of "${t[@]}")

# postcopy NAME IMAGES [run options]: one post-copy migration; sets pc_* results.
postcopy() {
  local name="$1" img="$2"; shift 2
  local src="$WORK/pc-$name-src" dst="$WORK/pc-$name-dst" t0 td server pid
  rm -rf "$src" "$dst" "$src".* "$dst".*; mkdir -p "$src" "$dst"
  : >"$src/go"
  t0=$(now)
  ( rc=0; "$HEXO" run --verbose --isa "$FROM" --mem 3G --full-chkpt-save 0 --port 0 --checkpoint-dir "$src" --workdir "$src" "$@" "$img" \
      >"$src.out" 2> >(stamp >"$src.err") || rc=$?; echo "$rc" >"$src.rc" ) &
  pid=$!
  for _ in $(seq 1200); do grep -q -- "--server " "$src.err" 2>/dev/null && break; sleep 0.05; done
  server=$(grep -o -- "--server [^ ]*" "$src.err" | head -1 | cut -d' ' -f2)
  cp "$src"/*.bin* "$dst"/
  td=$(now)
  "$HEXO" run --verbose --isa "$TO" --mem 3G --resume --full-chkpt-restore 0 --server "$server" --checkpoint-dir "$dst" --workdir "$dst" "$img" \
      >"$dst.out" 2> >(stamp >"$dst.err") || true
  wait "$pid" || true
  sleep 0.2
  pc_total=$(since "$t0")
  pc_src=$(grep -o 'written [0-9]* us after the migration point' "$src.err" | head -1 | tr -dc 0-9 | awk '{ printf "%.3f", $1 / 1e6 }')
  pc_dst=$(diff_s "$td" "$(at "$dst.err" "resumed at migration point")")
  pc_line=$(grep "post-copy from" "$dst.err" | cut -d' ' -f2- || true)
  pc_fault=$(echo "$pc_line" | grep -o '([0-9]* us each' | tr -dc 0-9)
  pc_map=$(echo "$pc_line" | grep -o 'map of data pages ([0-9]* extents) in [0-9]* ms' || true)
  [ "$(cat "$src.rc")" = 75 ] || { echo "$name: the source ended with $(cat "$src.rc"), not 75 (hand-over)" >&2; cat "$src.err" >&2; exit 2; }
}

# waiting NAME IMAGES: the destination started first (--wait), then the guest let reach its point; sets pw_* results (ms).
waiting() {
  local name="$1" img="$2"
  local src="$WORK/pw-$name-src" dst="$WORK/pw-$name-dst" server pid point resumed
  rm -rf "$src" "$dst" "$src".* "$dst".*; mkdir -p "$src" "$dst"
  ( rc=0; "$HEXO" run --isa "$FROM" --mem 3G --full-chkpt-save 0 --port 0 --checkpoint-dir "$src" --workdir "$src" "$img" \
      >"$src.out" 2>"$src.err" || rc=$?; echo "$rc" >"$src.rc" ) &
  pid=$!
  for _ in $(seq 1200); do grep -q "listens on" "$src.err" 2>/dev/null && break; sleep 0.05; done
  server=$(grep -o "listens on [^ ]*" "$src.err" | head -1 | cut -d' ' -f3)
  cp "$src/postcopy.key" "$dst/"
  "$HEXO" run --isa "$TO" --mem 3G --resume --full-chkpt-restore 0 --server "$server" --wait --checkpoint-dir "$dst" --workdir "$dst" "$img" \
      >"$dst.out" 2>"$dst.err" &
  local dpid=$!
  for _ in $(seq 1200); do grep -q "waiting on" "$dst.err" 2>/dev/null && break; sleep 0.05; done
  sleep 1 # the destination's own warm-up (a background thread) is done by then; a real wait is longer
  : >"$src/go"
  wait "$dpid" || true
  wait "$pid" || true
  [ "$(cat "$src.rc")" = 75 ] || { echo "$name: the source ended with $(cat "$src.rc"), not 75 (hand-over)" >&2; cat "$src.err" "$dst.err" >&2; exit 2; }
  local line; line=$(grep "us after the source's migration point" "$dst.err")
  pw_total=$(echo "$line" | sed -E 's/.*resumed ([0-9]+) us after.*/\1/' | awk '{ printf "%.1f", $1 / 1000 }')
  pw_src=$(echo "$line" | sed -E 's/.*point \(([0-9]+) us there.*/\1/' | awk '{ printf "%.1f", $1 / 1000 }')
  pw_dst=$(echo "$line" | sed -E 's/.*, ([0-9]+) us here.*/\1/' | awk '{ printf "%.1f", $1 / 1000 }')
  resumed=$(echo "$line" | sed -E 's/.*CLOCK_MONOTONIC ([0-9]+) us.*/\1/')
  point=$(grep -o "after the migration point (CLOCK_MONOTONIC [0-9]*" "$src.err" | tr -dc '0-9')
  pw_clock=$(awk -v a="$point" -v b="$resumed" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  pw_out=$(cat "$dst.out")
  pw_engine=$(grep -o "engine: [^;]*" "$dst.err" | head -1 | cut -d' ' -f2-)
}

# restart NAME IMAGES [run options]: checkpoint/restart, source start -> destination exit.
restart() {
  local name="$1" img="$2"; shift 2
  local ck="$WORK/cr-$name" t0
  rm -rf "$ck"; mkdir -p "$ck"
  t0=$(now)
  "$HEXO" run --isa "$FROM" --mem 3G --checkpoint-dir "$ck" --workdir "$ck" "$@" "$img" >"$ck.src.out" 2>&1 || true
  "$HEXO" run --isa "$TO" --mem 3G --resume --checkpoint-dir "$ck" --workdir "$ck" "$img" >"$ck.dst.out" 2>&1 || true
  cr_total=$(since "$t0")
}

echo "Post-copy migration, $FROM -> $TO (load: $(cut -d' ' -f1-3 /proc/loadavg))"
hr
row "baseline: hexo run --isa $TO hello (best of 3)" "$boot s"
hr
ratios=()
for mb in 10 1024; do
  waiting "g$mb" "$WORK/pc-guest-$mb"
  echo "guest with $mb MiB of data, destination started first (--wait)"
  row "resume latency: source point -> guest's next instruction" "$pw_total ms"
  row "  source: point -> minimal checkpoint leaves" "$pw_src ms"
  row "  destination: its arrival -> guest's next instruction" "$pw_dst ms"
  row "  cross-check, CLOCK_MONOTONIC of the two processes" "$pw_clock ms"
  row "  destination's output" "$pw_out"
  row "  destination's engine" "$pw_engine"
  ratios+=("g$mb waiting-resume ${pw_total}ms")
  hr
done
for mb in 10 1024; do
  postcopy "g$mb" "$WORK/pc-guest-$mb"
  echo "guest with $mb MiB of data"
  row "destination started after: source point -> pages served" "$pc_src s"
  row "destination: command start -> guest resumed" "$pc_dst s"
  row "  resumed / plain boot of hello" "$(ratio "$pc_dst" "$boot")"
  row "page-fault service (VMM side, mean)" "${pc_fault:-?} us"
  row "the source's map, asked for as the guest resumed" "${pc_map:-?}"
  row "destination's line" ""
  echo "    $pc_line"
  ratios+=("g$mb resume added $(diff_s "$boot" "$pc_dst")s+${pc_src}s")
  hr
done
for prog in postcopy-100mb npb-is-$CLASS; do
  opts=(); [ "$prog" = postcopy-100mb ] || opts=(--migrate-at-point 3)
  postcopy "$prog" "$WORK/$prog" "${opts[@]}"
  restart "$prog" "$WORK/$prog" "${opts[@]}"
  echo "$prog"
  row "post-copy: source start -> destination done" "$pc_total s"
  row "checkpoint/restart: source start -> destination done" "$cr_total s"
  row "  post-copy / checkpoint-restart" "$(ratio "$pc_total" "$cr_total")"
  row "page-fault service (VMM side, mean)" "${pc_fault:-?} us"
  ratios+=("$prog postcopy/restart $(ratio "$pc_total" "$cr_total")")
  hr
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio ${ratios[*]}"
