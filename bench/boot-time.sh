#!/usr/bin/env bash
# Boot time of a hello-world guest (bench/programs/hello).
#
#   bench/boot-time.sh                 # RUNS=5 commands per ISA, BOOTS=30 in-JVM boots
#
# 1. Whole command: `hexo run --isa x86|arm OUT`, end to end as a user sees it
#    (wrapper script, JVM start, CLI, image load, engine set-up, guest boot,
#    printf, exit).  Median and best of RUNS.
#    Baselines measured in the same run: `hexo --version` (the same wrapper
#    and JVM start with no guest) and the same hello.c as a native process.
# 2. VMM+guest alone: bench/harness/BootLoop.java boots the image BOOTS times
#    inside one warm JVM through io.hexo.vmm.vm.Vm (new Vm(config).run()),
#    after WARMUP boots; ms per boot (median, best).
# Targets: whole command <= 0.5 s, VMM+guest <= 5 ms (x86 on KVM).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS="${RUNS:-5}"
BOOTS="${BOOTS:-30}"
WARMUP="${WARMUP:-10}"

out="$WORK/hello"
ensure_hexo_built
hexo_build "$BENCH_DIR/programs/hello" "$out"
clang-16 -O2 "$BENCH_DIR/programs/hello/hello.c" -o "$WORK/hello-native"

declare -A med best eng
for isa in x86 arm; do
  t=()
  for i in $(seq "$RUNS"); do
    hexo_fresh; t0=$(now)
    "$HEXO" run --isa "$isa" "$out" >"$WORK/hello.out" 2>"$WORK/hello.err" || { cat "$WORK/hello.err" >&2; exit 1; }
    t+=("$(since "$t0")")
    grep -q "hello from hexo" "$WORK/hello.out" || { echo "unexpected output" >&2; exit 1; }
  done
  med[$isa]=$(median_of "${t[@]}"); best[$isa]=$(min_of "${t[@]}")
  eng[$isa]=$(engine_of "$WORK/hello.err" "$isa")
done

t=()
for i in $(seq "$RUNS"); do hexo_fresh; t0=$(now); "$HEXO" --version >/dev/null; t+=("$(since "$t0")"); done
jvm_med=$(median_of "${t[@]}")
t=()
for i in $(seq "$RUNS"); do t0=$(now); "$WORK/hello-native" >/dev/null; t+=("$(since "$t0")"); done
nat_med=$(median_of "${t[@]}")

cp="$HEXO_HOME/compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar:$HEXO_HOME/compiler-bridge/target/lib/*"
declare -A vmed vbest vfirst veng
for isa in x86 arm; do
  hexo_fresh
  java -XX:+UseSerialGC -Dhexo.home="$HEXO_HOME" -cp "$cp" "$BENCH_DIR/harness/BootLoop.java" \
    "$out" "$isa" "$WARMUP" "$BOOTS" >"$WORK/bootloop-$isa.out" 2>"$WORK/bootloop-$isa.err" \
    || { echo "BootLoop $isa failed:" >&2; cat "$WORK/bootloop-$isa.err" >&2; exit 1; }
  vmed[$isa]=$(awk '/^median_ms/ { print $2 }' "$WORK/bootloop-$isa.out")
  vbest[$isa]=$(awk '/^min_ms/ { print $2 }' "$WORK/bootloop-$isa.out")
  vfirst[$isa]=$(awk '/^first_ms/ { print $2 }' "$WORK/bootloop-$isa.out")
  veng[$isa]=$(sed -n 's/^engine //p' "$WORK/bootloop-$isa.out")
done

echo "Boot time, hello world (whole command: median of $RUNS; VMM+guest: $BOOTS boots after $WARMUP warm-up in one JVM)"
hr
for isa in x86 arm; do
  row "hexo run --isa $isa (${eng[$isa]})" "median ${med[$isa]} s, best ${best[$isa]} s"
done
row "baseline: hexo --version (JVM + CLI, no guest)" "median $jvm_med s"
row "baseline: native hello process" "median $nat_med s"
for isa in x86 arm; do
  row "VMM+guest $isa, ms per boot" "median ${vmed[$isa]} ms, best ${vbest[$isa]} ms, first (cold) ${vfirst[$isa]} ms"
  row "  engine" "${veng[$isa]}"
done
hr
x86_t=$(awk -v a="${med[x86]}" 'BEGIN { print a / 0.5 }')
vmm_t=$(awk -v a="${vmed[x86]}" 'BEGIN { print a / 5 }')
echo "ratio x86 hexo-run/(hexo --version): $(ratio "${med[x86]}" "$jvm_med"); x86 whole command vs 0.5 s target: $(ratio "$x86_t" 1)x; x86 VMM+guest vs 5 ms target: $(ratio "$vmm_t" 1)x (engine ${eng[x86]})"
