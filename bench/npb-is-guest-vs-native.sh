#!/usr/bin/env bash
# NPB IS inside the x86-64 unikernel vs the same C as a native Linux process.
#
#   bench/npb-is-guest-vs-native.sh            # class B (class W when /dev/kvm is missing)
#   CLASS=A REPS=5 bench/npb-is-guest-vs-native.sh
#
# Guest: `hexo run --isa x86` with whatever engine hexo picks (KVM when
# /dev/kvm is usable, a native process otherwise; the table says which).
# Native: the same sources, `clang-16 -O2`, migration calls stubbed out.
# Compared: NPB's own " Time in seconds" (the timed ranking loop, measured
# inside the program) and whole-process wall time (boot, key generation,
# verification and, for the guest, JVM start).  Best of REPS runs each.
# Target: in-program ratio guest/native <= 1.10 on KVM.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLASS=$(pick_class B W)
if [ -z "${REPS:-}" ]; then
  if kvm_available; then REPS=3; else REPS=1; fi
fi
NATIVE_REPS="${NATIVE_REPS:-3}"
MEM="${MEM:-2G}"

out="$WORK/npb-is-$CLASS"
native="$WORK/npb-is-native-$CLASS"
ensure_hexo_built
hexo_build "$SAMPLES/npb-is" "$out" "-DCLASS=$CLASS"
native_npb "$CLASS" "$native"

g_in=(); g_wall=(); engine=?
for i in $(seq "$REPS"); do
  hexo_fresh; t0=$(now)
  if ! "$HEXO" run --isa x86 --mem "$MEM" "$out" >"$WORK/npb-guest.out" 2>"$WORK/npb-guest.err"; then
    echo "guest run failed:" >&2; cat "$WORK/npb-guest.err" >&2; exit 1
  fi
  g_wall+=("$(since "$t0")")
  npb_verified "$WORK/npb-guest.out" || { echo "guest run did not verify" >&2; exit 1; }
  g_in+=("$(npb_time "$WORK/npb-guest.out")")
  engine=$(engine_of "$WORK/npb-guest.err" x86)
done

n_in=(); n_wall=()
for i in $(seq "$NATIVE_REPS"); do
  t0=$(now)
  "$native" >"$WORK/npb-native.out"
  n_wall+=("$(since "$t0")")
  npb_verified "$WORK/npb-native.out" || { echo "native run did not verify" >&2; exit 1; }
  n_in+=("$(npb_time "$WORK/npb-native.out")")
done

gi=$(min_of "${g_in[@]}"); gw=$(min_of "${g_wall[@]}")
ni=$(min_of "${n_in[@]}"); nw=$(min_of "${n_wall[@]}")
echo "NPB IS class $CLASS: x86-64 guest ($engine) vs native clang-16 -O2 (best of $REPS guest / $NATIVE_REPS native runs)"
hr
row "guest in-program Time in seconds" "$gi s   (runs: ${g_in[*]})"
row "native in-program Time in seconds" "$ni s   (runs: ${n_in[*]})"
row "guest whole process (hexo run) wall" "$gw s   (runs: ${g_wall[*]})"
row "native whole process wall" "$nw s   (runs: ${n_wall[*]})"
row "wall ratio guest/native" "$(ratio "$gw" "$nw")"
row "x86 engine" "$engine"
hr
echo "ratio guest/native in-program time: $(ratio "$gi" "$ni") (target <= 1.10 on KVM; engine $engine; class $CLASS)"
