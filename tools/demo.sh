#!/usr/bin/env bash
# The main demo: build NPB IS for both ISAs, start it on x86-64 (KVM when /dev/kvm is there), migrate
# after a few seconds, and finish it on the emulated ARM64 board with "Verification = SUCCESSFUL".
#   CLASS=S|W|A|B (default A with KVM, W when x86-64 runs emulated)   MIGTEST=seconds (default 2)
#   The move happens at the first migration point reached after MIGTEST seconds: a short MIGTEST always
#   migrates (at worst before the first iteration, when key generation outlasts it).
set -euo pipefail
HEXO_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$HEXO_HOME/tools/install.sh"
if [ -e /dev/kvm ]; then CLASS="${CLASS:-A}"; else CLASS="${CLASS:-W}"; fi
MIGTEST="${MIGTEST:-2}"
hexo="$HEXO_HOME/hexo"
demo="${DEMO_DIR:-$HEXO_HOME/build/demo}"
rm -rf "$demo" && mkdir -p "$demo/src" "$demo/x86" "$demo/board"
cp "$HEXO_HOME"/resources/samples/npb-is/* "$demo/src/"

echo; echo "== 1. build NPB IS class $CLASS for x86-64 and ARM64"
"$hexo" build "$demo/src" -o "$demo/images" --cflags "-DCLASS=$CLASS"
"$hexo" check "$demo/images"

echo; echo "== 2. run it on x86-64; migrate after $MIGTEST s (the original's MIGTEST=$MIGTEST make test-x86)"
set +e
"$hexo" run --isa x86 --migrate-after "$MIGTEST" --workdir "$demo/x86" --checkpoint-dir "$demo/x86" "$demo/images"
status=$?
set -e
if [ "$status" -ne 75 ]; then
  echo "hexo demo: the program ended (status $status) before the migration: try a bigger CLASS or a smaller MIGTEST" >&2
  exit 1
fi

echo; echo "== 3. the checkpoint, and its transfer to the emulated ARM board (make transfer-full-checkpoint-to-arm)"
"$hexo" inspect "$demo/x86"
"$hexo" transfer --from "$demo/x86" --to "$demo/board"

echo; echo "== 4. resume and finish on the emulated ARM64 board (RESUME=1 make test-arm)"
"$hexo" run --isa arm --resume --workdir "$demo/board" --checkpoint-dir "$demo/board" "$demo/images" | tee "$demo/board/output.txt"
grep -q "Verification *= *SUCCESSFUL" "$demo/board/output.txt"
echo; echo "hexo demo: NPB IS class $CLASS started on x86-64, moved to the ARM64 board, and verified there."
