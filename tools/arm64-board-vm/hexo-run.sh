#!/usr/bin/env bash
# `hexo run --isa arm --engine kvm ARGS...` inside the arm64 board VM (run-in-vm.sh): an AArch64 image
# from `hexo build` on real AArch64 KVM, from an x86-64 machine. Paths in ARGS must lie in the project
# directory or in the current directory (both are shared with the VM at the same paths).
#
#   cd build-out-dir && /path/to/hexo/tools/arm64-board-vm/hexo-run.sh . --args 'a b'
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/hexo" --help >/dev/null   # builds hexo itself when its jar is missing or stale
jar=$(ls "$root"/compiler-bridge/target/compiler-bridge-*.jar 2>/dev/null | head -1)
[ -n "$jar" ] || { echo "hexo-run.sh: compiler-bridge jar missing after building hexo" >&2; exit 126; }
shares=(--share "$root")
case "$PWD/" in "$root"/*) ;; *) shares+=(--share "$PWD") ;; esac
exec "$here/run-in-vm.sh" "${shares[@]}" -- java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dhexo.home="$root" \
    -cp "$jar:$root/compiler-bridge/target/lib/*" io.hexo.cli.Main run --isa arm --engine kvm "$@"
