#!/usr/bin/env bash
# Builds Unicorn 2.1.1 for hexo's emulated boards from Debian 13 (trixie)'s `unicorn-engine` *source*
# package: Debian 12's libunicorn2 (2.0.1) takes a slow path on every guest store, which makes
# memory-heavy guests ~10x slower than under qemu-user (2.1.1 does not).
#
# What it does, as root, from the project's set-up (tools/install.sh):
#   - adds a deb-src line for trixie in its own file, /etc/apt/sources.list.d/hexo-trixie-src.list
#     (source indexes only: no trixie binary package ever becomes installable);
#   - `apt-get source unicorn-engine/trixie` into /var/cache/hexo-unicorn;
#   - installs the few build tools it needs from bookworm (cmake, make, gcc, pkg-config, dpkg-dev);
#   - builds only the x86 and aarch64 targets (Release) and installs them under
#     /opt/hexo/unicorn-2.1.1 (lib/libunicorn.so.2), which hexo loads before the system library.
# Idempotent: does nothing when that library already reports version 2.1.1.
# When the source cannot be fetched it says why and exits 0: hexo then keeps the system libunicorn2.
# Neither the sources nor the built library belong in the repository.
#
# Environment (all optional): HEXO_UNICORN_PREFIX (install prefix), HEXO_UNICORN_CACHE (where the
# source package is unpacked and built), HEXO_UNICORN_JOBS (parallel jobs, default 2).
set -euo pipefail

VERSION=2.1.1
PREFIX="${HEXO_UNICORN_PREFIX:-/opt/hexo/unicorn-$VERSION}"
CACHE="${HEXO_UNICORN_CACHE:-/var/cache/hexo-unicorn}"
JOBS="${HEXO_UNICORN_JOBS:-2}"
LIB="$PREFIX/lib/libunicorn.so.2"
SRC_LIST=/etc/apt/sources.list.d/hexo-trixie-src.list
SRC_LINE="deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main"
BUILD_TOOLS=(cmake make gcc libc6-dev pkg-config dpkg-dev xz-utils python3)

say() { echo "hexo unicorn: $*" >&2; }

# The version a libunicorn reports through uc_version(), or nothing when it does not load.
lib_version() {
  [ -e "$1" ] || return 0
  python3 - "$1" <<'EOF' 2>/dev/null || true
import ctypes, sys
v = ctypes.CDLL(sys.argv[1]).uc_version(None, None)
print("%d.%d.%d" % ((v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff))
EOF
}

# Leaves the system Unicorn in use: prints why, exits 0 so that the set-up goes on.
keep_system() {
  say "$1"
  say "hexo keeps using the system libunicorn.so.2 ($(lib_version "$(system_lib)" || true))"
  exit 0
}

system_lib() {
  local l
  l="$(ldconfig -p 2>/dev/null | awk '$1 == "libunicorn.so.2" { print $NF; exit }')"
  echo "${l:-libunicorn.so.2}"
}

if [ "$(lib_version "$LIB")" = "$VERSION" ]; then
  say "Unicorn $VERSION already built: $LIB"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  say "building Unicorn $VERSION needs root (apt-get): run $0 as root" 
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${BUILD_TOOLS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing the build tools ${missing[*]} (bookworm)"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# ---- the source package ----
src="$CACHE/unicorn-engine-$VERSION"
mkdir -p "$CACHE"
if [ ! -f "$src/CMakeLists.txt" ] || [ ! -f "$src/debian/changelog" ]; then
  if [ "$(cat "$SRC_LIST" 2>/dev/null)" != "$SRC_LINE" ]; then
    echo "$SRC_LINE" >"$SRC_LIST"
  fi
  # Refresh only the trixie source index; the other lists are left as they are.
  if ! out="$(apt-get update -o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=- \
      -o APT::Get::List-Cleanup=0 </dev/null 2>&1)"; then
    keep_system "cannot read Debian 13's source index: $(grep -E '^(E|Err):' <<<"$out" | head -3 | tr '\n' ' ')"
  fi
  want="$(apt-cache showsrc --only-source unicorn-engine 2>/dev/null \
      | awk '/^Version: /{ print $2 }' | grep -E "^$VERSION-" | sort -V | tail -1 || true)"
  [ -n "$want" ] || keep_system "Debian's source index has no unicorn-engine $VERSION (trixie)"
  rm -rf "$src" "$CACHE"/unicorn-engine_*
  # _apt cannot write into a root-only directory; downloading as root is fine here.
  if ! out="$(cd "$CACHE" && apt-get source -q -o APT::Sandbox::User=root \
      "unicorn-engine=$want" </dev/null 2>&1)"; then
    keep_system "cannot fetch Debian 13's unicorn-engine $want source package: $(grep -E '^(E|Err):|404|Not Found' <<<"$out" | head -4 | tr '\n' ' ' | tr -s ' ')"
  fi
  [ -f "$src/CMakeLists.txt" ] || keep_system "apt-get source unicorn-engine=$want did not unpack $src"
  say "fetched the source package unicorn-engine $want into $CACHE"
fi

# ---- the build: x86 and aarch64 only, Release ----
start=$(date +%s)
build="$CACHE/build-$VERSION"
stage="$CACHE/stage-$VERSION"
rm -rf "$build" "$stage"
say "building Unicorn $VERSION (x86, aarch64) with $JOBS jobs"
nice -n 10 cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DUNICORN_ARCH="x86;aarch64" \
  -DBUILD_SHARED_LIBS=ON -DUNICORN_BUILD_TESTS=OFF -DUNICORN_INSTALL=ON \
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib </dev/null >"$CACHE/build-$VERSION.log" 2>&1 \
  || { tail -20 "$CACHE/build-$VERSION.log" >&2; say "cmake failed (log: $CACHE/build-$VERSION.log)"; exit 1; }
nice -n 10 cmake --build "$build" -j "$JOBS" </dev/null >>"$CACHE/build-$VERSION.log" 2>&1 \
  || { tail -30 "$CACHE/build-$VERSION.log" >&2; say "build failed (log: $CACHE/build-$VERSION.log)"; exit 1; }
DESTDIR="$stage" cmake --install "$build" </dev/null >>"$CACHE/build-$VERSION.log" 2>&1
got="$(lib_version "$stage$PREFIX/lib/libunicorn.so.2")"
if [ "$got" != "$VERSION" ]; then
  say "the built library reports version '${got:-none}', not $VERSION: not installed"
  exit 1
fi
rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")"
mv "$stage$PREFIX" "$PREFIX"
rm -rf "$stage" "$build"
say "Unicorn $VERSION installed: $LIB (build time $(( $(date +%s) - start )) s)"
