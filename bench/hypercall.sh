#!/usr/bin/env bash
# Hypercall round trips per second, per engine.
#
#   bench/hypercall.sh                 # CALLS=20000 per run, best of REPS=3
#
# bench/programs/hypercall times a loop of clock_gettime() calls; in a hexo
# guest each one is a full hypercall (WASI clock_time_get -> guest kernel ->
# VMM -> back).  Engines: x86 as hexo picks it (KVM, or the process engine
# without /dev/kvm), x86 forced onto the process engine when KVM is there too,
# and the ARM64 board (the process engine under qemu-user).
# Baselines in the same run, the same C as a native process: clock_gettime
# (vDSO, no kernel entry) and syscall(SYS_getppid) (one real kernel entry).
# ratio = guest round trip / native syscall.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CALLS="${CALLS:-20000}"
REPS="${REPS:-3}"
out="$WORK/hypercall"
ensure_hexo_built
hexo_build "$BENCH_DIR/programs/hypercall" "$out"
clang-16 -O2 "$BENCH_DIR/programs/hypercall/hypercall.c" -o "$WORK/hypercall-native"

configs=("x86:auto")
kvm_available && configs+=("x86:process")
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
  eng[$cfg]=$(engine_of "$WORK/hypercall.err" "$isa")
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

hr
first=${configs[0]}
all=""; for cfg in "${configs[@]}"; do all="$all ${cfg%%:*}/${eng[$cfg]}=$(ratio "${ns[$cfg]}" "$nsys")"; done
echo "ratio guest-hypercall/native-syscall:$all"
