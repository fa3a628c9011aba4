#!/usr/bin/env bash
# Installs everything hexo needs on Debian 12, then builds hexo (Maven fetches its own dependencies).
# Idempotent: a second run installs nothing and rebuilds only what changed. Run as root.
set -euo pipefail
HEXO_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  # Java and the build of hexo itself
  openjdk-17-jdk-headless maven make
  # the dual-ISA toolchain: C -> wasm32 -> Asyncify -> wasm2c -> native (DEVELOPERS.md: Debian packages only)
  clang-16 lld-16 wabt binaryen wasi-libc libclang-rt-16-dev-wasm32
  # the ARM64 board on this machine: AArch64 guests as processes under qemu-user
  qemu-user-static
  # tests: guests assembled at test time (as, objcopy), image checks (llvm-readelf-16), host C probes,
  # the QEMU rigs that provide real KVM, the IDE under Xvfb
  binutils llvm-16 libc6-dev binutils-aarch64-linux-gnu qemu-system-arm qemu-system-x86 cpio busybox-static
  xvfb libgtk-3-0 dbus-x11 imagemagick
  # benchmarks: the same C as a native AArch64 program under qemu-user
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # boards over SSH: a real OpenSSH server on loopback for the board tests
  openssh-server
  # hexo run --gdb: gdbserver for native guest processes, gdb-multiarch for both ISAs (the tests drive them)
  gdbserver gdb-multiarch
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "hexo: these packages are missing: ${missing[*]}: run this script as root" >&2
    exit 1
  fi
  echo "hexo: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

echo "hexo: building hexo (mvn package)" >&2
cd "$HEXO_HOME"
mvn -q -B -DskipTests package </dev/null
