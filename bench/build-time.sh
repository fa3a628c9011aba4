#!/usr/bin/env bash
# `hexo build` time and image size vs a native clang-16 -O2 build of NPB IS.
#
#   bench/build-time.sh                # class B; CLASS=S|W|A|B|C to change
#
# From scratch: OUT/.hexo and the images removed, then `hexo build` (C ->
# wasm32 -> Asyncify -> wasm2c -> two native images with the guest kernel).
# No-change rebuild: `hexo build` again with nothing changed.
# Native: one `clang-16 -O2` compile+link of the same .c files (the
# migration calls stubbed out).  Best of REPS scratch builds (default 1),
# 3 no-change rebuilds and NATIVE_REPS native builds (default 3).
# Sizes: prog_x86-64, prog_aarch64 vs the native executable (dynamic, and
# -static so that libc is inside it as it is inside the images).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLASS="${CLASS:-B}"
REPS="${REPS:-1}"
NATIVE_REPS="${NATIVE_REPS:-3}"
out="$WORK/build-npb-is-$CLASS"
native="$WORK/build-npb-is-native-$CLASS"
ensure_hexo_built

scratch=()
for i in $(seq "$REPS"); do
  rm -rf "$out"
  mkdir -p "$out"
  hexo_fresh; t0=$(now)
  hexo_build "$SAMPLES/npb-is" "$out" "-DCLASS=$CLASS"
  scratch+=("$(since "$t0")")
done
again=()
for i in 1 2 3; do
  hexo_fresh; t0=$(now)
  hexo_build "$SAMPLES/npb-is" "$out" "-DCLASS=$CLASS"
  again+=("$(since "$t0")")
done
nat=()
for i in $(seq "$NATIVE_REPS"); do
  rm -f "$native"
  t0=$(now)
  native_npb "$CLASS" "$native"
  nat+=("$(since "$t0")")
done
native_npb "$CLASS" "$native-static" clang-16 -static
size() { stat -c %s "$1"; }
sx=$(size "$out/prog_x86-64"); sa=$(size "$out/prog_aarch64")
sn=$(size "$native"); ss=$(size "$native-static")

bs=$(min_of "${scratch[@]}"); ba=$(min_of "${again[@]}"); bn=$(min_of "${nat[@]}")
echo "Build of NPB IS class $CLASS: hexo build vs native clang-16 -O2 (scratch best of $REPS, no-change best of 3, native best of $NATIVE_REPS)"
hr
row "hexo build from scratch" "$bs s   (runs: ${scratch[*]})"
row "hexo build, nothing changed" "$ba s   (runs: ${again[*]})"
row "native clang-16 -O2 build" "$bn s   (runs: ${nat[*]})"
row "prog_x86-64 size" "$sx bytes"
row "prog_aarch64 size" "$sa bytes"
row "native executable size (dynamic / -static)" "$sn / $ss bytes"
row "intermediates OUT/.hexo" "$(du -sb "$out/.hexo" | cut -f1) bytes"
hr
echo "ratio hexo-build/native-build: $(ratio "$bs" "$bn") from scratch, $(ratio "$ba" "$bn") no-change; size prog_x86-64/native-static $(ratio "$sx" "$ss"), prog_aarch64/native-static $(ratio "$sa" "$ss")"
