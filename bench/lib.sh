# Shared helpers for bench/*.sh (sourced, not run).
#
# Every benchmark measures its baseline in the same run, prints a small table
# and ends with one line that starts with "ratio".  Guest runs say which engine
# ran them, as hexo's first notice on stderr names it ("KVM", "process (native)",
# "process (qemu-aarch64-static)").

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HEXO_HOME="$(cd "$BENCH_DIR/.." && pwd)"
HEXO="$HEXO_HOME/hexo"
SAMPLES="$HEXO_HOME/resources/samples"
# Builds, checkpoints and logs go here (shared by the scripts, so an image built
# by one is only rebuilt incrementally by the next).
WORK="${HEXO_BENCH_DIR:-/tmp/hexo-bench}"
mkdir -p "$WORK"

# True when hexo will pick KVM for x86-64 guests on this machine.
kvm_available() { [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; }

# Seconds since the epoch, with nanoseconds.
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

# Elapsed seconds since $1 (a `now` value), 3 decimals.
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }

# Minimum / median of the numbers given as arguments.
min_of() { printf '%s\n' "$@" | sort -g | head -1; }
median_of() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# a / b with 2 decimals ("n/a" when b is zero or either is not a number).
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.eE+-]+$/ || b !~ /^[0-9.eE+-]+$/ || b + 0 == 0) print "n/a"; else if (a / b < 0.1) printf "%.3g", a / b; else printf "%.2f", a / b }'
}

# Builds hexo itself now (the wrapper rebuilds when its Java sources changed),
# so that no timed run pays for a Maven build.
ensure_hexo_built() {
  if ! "$HEXO" --version >"$WORK/hexo-self-build.log" 2>&1; then
    echo "hexo does not start:" >&2
    cat "$WORK/hexo-self-build.log" >&2
    exit 2
  fi
}

# Cheap check before each timed hexo command, so that no timed run includes a
# Maven build of hexo itself: the wrapper builds hexo when its jar is missing
# (older wrappers also when hexo's Java sources are newer than the jar); if it
# would, build it now, untimed.
hexo_fresh() {
  local jar="$HEXO_HOME/compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$jar" ]; then
    ensure_hexo_built
  elif grep -q -- '-newer "$jar"' "$HEXO" \
       && [ -n "$(find "$HEXO_HOME/vmm-runtime/src" "$HEXO_HOME/compiler-bridge/src" -newer "$jar" -name '*.java' -print -quit 2>/dev/null)" ]; then
    ensure_hexo_built
  fi
}

# hexo_build SRC_DIR OUT_DIR [CFLAGS]: a quiet `hexo build`; shows the log on failure.
hexo_build() {
  local src="$1" out="$2" cflags="${3:-}" log
  log="$out.build.log"
  mkdir -p "$out"
  if ! "$HEXO" build "$src" -o "$out" ${cflags:+--cflags "$cflags"} >"$log" 2>&1; then
    echo "hexo build $src failed:" >&2
    tail -20 "$log" >&2
    exit 2
  fi
}

# The engine a hexo run used, from its stderr file ($1) and ISA ($2).
engine_of() {
  local err="$1" isa="$2" named
  # hexo's first notice names it: "hexo: engine: process (native) for the x86-64 guest".
  named=$(sed -n 's/^hexo: engine: \(.*\) for the .* guest.*/\1/p' "$err" 2>/dev/null | head -1)
  if [ -n "$named" ]; then echo "$named"; return; fi
  echo "unknown (no engine notice in $err)"
}

# NPB IS's own timing line (" Time in seconds = X") from an output file.
npb_time() { awk '/Time in seconds/ { print $NF }' "$1" | tail -1; }
npb_verified() { grep -q "Verification *= *SUCCESSFUL" "$1"; }

# Native build of NPB IS (the same sources, migration calls are no-ops).
native_npb() {
  local class="$1" out="$2" cc="${3:-clang-16}"
  shift $(( $# < 3 ? $# : 3 ))
  "$cc" -O2 -DCLASS="$class" -I "$SAMPLES/native-stub" "$@" \
    "$SAMPLES"/npb-is/*.c -lm -o "$out"
}

# Bytes the NPB IS arrays occupy (key_array, key_buff2, key_buff1, bucket_size, bucket_ptrs).
npb_footprint() {
  local h="$SAMPLES/npb-is/npbparams-$1.h" t m b
  t=$(awk '/TOTAL_KEYS_LOG_2/ { print $3 }' "$h")
  m=$(awk '/MAX_KEY_LOG_2/ { print $3 }' "$h")
  b=$(awk '/NUM_BUCKETS_LOG_2/ { print $3 }' "$h")
  echo $(( 4 * (2 * (1 << t) + (1 << m) + 2 * (1 << b)) ))
}

# Prints "name value" rows aligned.
row() { printf '  %-50s %s\n' "$1" "$2"; }
hr() { printf '  %s\n' "--------------------------------------------------------------------"; }

# The NPB class: $CLASS if set, else $1. ($2 is ignored: without /dev/kvm the process engine runs x86-64
# natively, so no smaller class is needed.)
pick_class() {
  echo "${CLASS:-$1}"
}
