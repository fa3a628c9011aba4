#!/usr/bin/env bash
# NPB IS on the emulated ARM64 board (`hexo run --isa arm --engine emulated`) vs the same C as
# a static AArch64 Linux executable under qemu-user (qemu-aarch64-static).
#
#   bench/emulated-board.sh              # classes S and W
#   CLASSES="S W A" REPS=3 bench/emulated-board.sh
#
# Both sides emulate AArch64 on this x86-64 host with QEMU's TCG (the board
# through Unicorn 2, which is QEMU inside a library).  Compared: NPB's own
# " Time in seconds" (the timed ranking loop); whole-process wall time is
# shown too.  Best of REPS (board) and QEMU_REPS (qemu-user) runs.
# ratio = qemu_time / board_time: 1.0 means the board is as fast as
# qemu-user.  Target >= 0.8.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLASSES="${CLASSES:-S W}"
REPS="${REPS:-2}"
QEMU_REPS="${QEMU_REPS:-3}"
QEMU="${QEMU:-qemu-aarch64-static}"
CROSS_CC="${CROSS_CC:-aarch64-linux-gnu-gcc}"
MEM="${MEM:-2G}"
command -v "$QEMU" >/dev/null || { echo "$QEMU is not installed (apt-get install qemu-user-static)" >&2; exit 2; }
command -v "$CROSS_CC" >/dev/null || { echo "$CROSS_CC is not installed (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2; exit 2; }
ensure_hexo_built

declare -A bi bw qi qw r
for c in $CLASSES; do
  out="$WORK/npb-is-$c"
  a64="$WORK/npb-is-aarch64-$c"
  hexo_build "$SAMPLES/npb-is" "$out" "-DCLASS=$c"
  native_npb "$c" "$a64" "$CROSS_CC" -static
  t_in=(); t_wall=()
  for i in $(seq "$REPS"); do
    hexo_fresh; t0=$(now)
    "$HEXO" run --isa arm --engine emulated --mem "$MEM" "$out" >"$WORK/board.out" 2>"$WORK/board.err" || { cat "$WORK/board.err" >&2; exit 1; }
    t_wall+=("$(since "$t0")")
    npb_verified "$WORK/board.out" || { echo "board run (class $c) did not verify" >&2; exit 1; }
    t_in+=("$(npb_time "$WORK/board.out")")
  done
  bi[$c]=$(min_of "${t_in[@]}"); bw[$c]=$(min_of "${t_wall[@]}")
  t_in=(); t_wall=()
  for i in $(seq "$QEMU_REPS"); do
    t0=$(now)
    "$QEMU" "$a64" >"$WORK/qemu.out"
    t_wall+=("$(since "$t0")")
    npb_verified "$WORK/qemu.out" || { echo "qemu-user run (class $c) did not verify" >&2; exit 1; }
    t_in+=("$(npb_time "$WORK/qemu.out")")
  done
  qi[$c]=$(min_of "${t_in[@]}"); qw[$c]=$(min_of "${t_wall[@]}")
  r[$c]=$(ratio "${qi[$c]}" "${bi[$c]}")
done

echo "NPB IS on the emulated ARM64 board vs $CROSS_CC -O2 -static under $QEMU (best of $REPS board / $QEMU_REPS qemu runs)"
hr
for c in $CLASSES; do
  row "class $c board in-program time" "${bi[$c]} s   (wall ${bw[$c]} s)"
  row "class $c qemu-user in-program time" "${qi[$c]} s   (wall ${qw[$c]} s)"
  row "class $c ratio qemu/board (in-program; wall)" "${r[$c]}; $(ratio "${qw[$c]}" "${bw[$c]}")"
done
hr
last=${CLASSES##* }
all=""; for c in $CLASSES; do all="$all $c=${r[$c]}"; done
echo "ratio qemu-user/board in-program time, class $last: ${r[$last]} (target >= 0.8; all:$all)"
