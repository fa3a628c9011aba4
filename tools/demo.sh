#!/usr/bin/env bash
# The main demo: build NPB IS for both ISAs, start it on x86-64 (KVM when /dev/kvm is there), migrate
# it part-way, and finish it on the ARM64 board (the built-in one: a process under qemu-user) with
# "Verification = SUCCESSFUL".
#   CLASS=S|W|A|B  (default A)
#   MIGPOINT=N     migrate at the N-th migration point (default 5: NPB IS passes one at the top of each
#                  of its 10 timed iterations), so the move happens on fast and slow hosts alike
#   MIGTEST=S      instead, the original's wall-time trigger: the first migration point after S seconds
#   HEXO_SKIP_INSTALL=1  skip tools/install.sh (the test suite, which has just installed everything)
set -euo pipefail
HEXO_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "${HEXO_SKIP_INSTALL:-}" = 1 ] || "$HEXO_HOME/tools/install.sh"
CLASS="${CLASS:-A}"
if [ -n "${MIGTEST:-}" ]; then
  trigger=(--migrate-after "$MIGTEST"); when="after $MIGTEST s (the original's MIGTEST=$MIGTEST make test-x86)"
else
  MIGPOINT="${MIGPOINT:-5}"
  trigger=(--migrate-at-point "$MIGPOINT"); when="at migration point $MIGPOINT (iteration $MIGPOINT of 10)"
fi
hexo="$HEXO_HOME/hexo"
demo="${DEMO_DIR:-$HEXO_HOME/build/demo}"
rm -rf "$demo" && mkdir -p "$demo/src" "$demo/x86" "$demo/board"
cp "$HEXO_HOME"/resources/samples/npb-is/* "$demo/src/"

echo; echo "== 1. build NPB IS class $CLASS for x86-64 and ARM64"
"$hexo" build "$demo/src" -o "$demo/images" --cflags "-DCLASS=$CLASS"
"$hexo" check "$demo/images"

echo; echo "== 2. run it on x86-64; migrate $when"
set +e
"$hexo" run --isa x86 "${trigger[@]}" --workdir "$demo/x86" --checkpoint-dir "$demo/x86" "$demo/images"
status=$?
set -e
if [ "$status" -ne 75 ]; then
  echo "hexo demo: the program ended (status $status) before the migration: try a bigger CLASS or a smaller MIGPOINT" >&2
  exit 1
fi

echo; echo "== 3. the checkpoint, and its transfer to the ARM board (make transfer-full-checkpoint-to-arm)"
"$hexo" inspect "$demo/x86"
"$hexo" transfer --from "$demo/x86" --to "$demo/board"

echo; echo "== 4. resume and finish on the ARM64 board, a process under qemu-user here (RESUME=1 make test-arm)"
"$hexo" run --isa arm --resume --workdir "$demo/board" --checkpoint-dir "$demo/board" "$demo/images" | tee "$demo/board/output.txt"
grep -q "Verification *= *SUCCESSFUL" "$demo/board/output.txt"
echo; echo "hexo demo: NPB IS class $CLASS started on x86-64, moved to the ARM64 board, and verified there."
