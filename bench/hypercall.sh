#!/usr/bin/env bash
# Hypercall round trips per second, per engine.
#
#   bench/hypercall.sh                 # CALLS=20000 per run, best of REPS=3
#   UNICORN_TESTS=1 bench/hypercall.sh # also the Unicorn engine tests' own figures
#
# bench/programs/hypercall times a loop of clock_gettime() calls; in a hexo
# guest each one is a full hypercall (WASI clock_time_get -> guest kernel ->
# VMM -> back).  Engines: x86 as hexo picks it (KVM or emulated), x86 forced
# emulated when KVM is there too, and the emulated ARM64 board.
# Baselines in the same run, the same C as a native process: clock_gettime
# (vDSO, no kernel entry) and syscall(SYS_getppid) (one real kernel entry).
# ratio = guest round trip / native syscall.
#
# UNICORN_TESTS=1 runs `mvn test -Dtest='Unicorn*EngineTest'` in a copy of the
# committed tree (git archive HEAD, under $HEXO_BENCH_DIR) so that it never
# touches the working tree's target/ directories, and prints the
# "hypercall round trip" lines those tests report (a bare doorbell loop in
# hand-written guest code, without WASI and libc).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CALLS="${CALLS:-20000}"
REPS="${REPS:-3}"
out="$WORK/hypercall"
ensure_hexo_built
hexo_build "$BENCH_DIR/programs/hypercall" "$out"
clang-16 -O2 "$BENCH_DIR/programs/hypercall/hypercall.c" -o "$WORK/hypercall-native"

configs=("x86:auto")
kvm_available && configs+=("x86:emulated" "x86:process")
configs+=("arm:auto")

declare -A ns eng
for cfg in "${configs[@]}"; do
  isa=${cfg%%:*}; engine=${cfg#*:}
  t=()
  for i in $(seq "$REPS"); do
    opt=(); [ "$engine" = auto ] || opt=(--engine "$engine")
    "$HEXO" run --isa "$isa" "${opt[@]}" --args "$CALLS" "$out" >"$WORK/hypercall.out" 2>"$WORK/hypercall.err" \
      || { cat "$WORK/hypercall.err" >&2; exit 1; }
    t+=("$(awk '/^clock_gettime_ns_per_call/ { print $2 }' "$WORK/hypercall.out")")
  done
  ns[$cfg]=$(min_of "${t[@]}")
  if [ "$engine" = emulated ]; then eng[$cfg]=emulated; else eng[$cfg]=$(engine_of "$WORK/hypercall.err" "$isa"); fi
done
nc=(); ns_sys=()
for i in $(seq "$REPS"); do
  "$WORK/hypercall-native" $((CALLS * 10)) >"$WORK/hypercall-native.out"
  nc+=("$(awk '/^clock_gettime_ns_per_call/ { print $2 }' "$WORK/hypercall-native.out")")
  ns_sys+=("$(awk '/^syscall_ns_per_call/ { print $2 }' "$WORK/hypercall-native.out")")
done
nclock=$(min_of "${nc[@]}"); nsys=$(min_of "${ns_sys[@]}")

persec() { awk -v n="$1" 'BEGIN { printf "%.0f", 1e9 / n }'; }
echo "Hypercall round trips (clock_gettime in a loop of $CALLS, best of $REPS)"
hr
for cfg in "${configs[@]}"; do
  row "guest --isa ${cfg%%:*}, ${eng[$cfg]}" "${ns[$cfg]} ns/call, $(persec "${ns[$cfg]}") calls/s"
done
row "native clock_gettime (vDSO)" "$nclock ns/call, $(persec "$nclock") calls/s"
row "native syscall(SYS_getppid)" "$nsys ns/call, $(persec "$nsys") calls/s"

if [ "${UNICORN_TESTS:-0}" = 1 ]; then
  src="$WORK/src-HEAD"
  rm -rf "$src"; mkdir -p "$src"
  git -C "$HEXO_HOME" archive HEAD | tar -x -C "$src"
  (cd "$src" && mvn -B -pl vmm-runtime -am test -Dtest='Unicorn*EngineTest' -Dsurefire.failIfNoSpecifiedTests=false \
     >"$WORK/unicorn-tests.log" 2>&1) || echo "  (the Unicorn tests failed; see $WORK/unicorn-tests.log)"
  grep -h "hypercall round trip" "$WORK/unicorn-tests.log" | sed 's/^/  test: /' || echo "  (no round-trip lines in $WORK/unicorn-tests.log)"
fi
hr
first=${configs[0]}
all=""; for cfg in "${configs[@]}"; do all="$all ${cfg%%:*}/${eng[$cfg]}=$(ratio "${ns[$cfg]}" "$nsys")"; done
echo "ratio guest-hypercall/native-syscall:$all"
