#!/usr/bin/env bash
# Runs every benchmark once, one after the other, and ends with their ratio lines.
#
#   bench/run-all.sh                  # the defaults of each script
#   bench/run-all.sh boot-time checkpoint   # only these
#
# The full output is also saved to $HEXO_BENCH_DIR/results-<time>.txt
# (default /tmp/hexo-bench).  Environment variables pass through to the
# scripts (CLASS, REPS, ... see bench/README.md).  A failing benchmark is
# reported and the others still run; the exit status is 1 if any failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${HEXO_BENCH_DIR:-/tmp/hexo-bench}"
mkdir -p "$WORK"
all=(npb-is-guest-vs-native kernels boot-time build-time process-engine checkpoint hypercall)
[ $# -gt 0 ] && all=("$@")
log="$WORK/results-$(date -u +%Y%m%dT%H%M%SZ).txt"

{
  echo "hexo benchmarks, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -srm), $(nproc) CPUs"
  echo "commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$here/.." diff --quiet 2>/dev/null || echo ' (working tree modified)')"
  if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    echo "x86-64 guests: KVM (/dev/kvm usable)"
  else
    echo "x86-64 guests: native processes (no usable /dev/kvm; --engine process)"
  fi
  echo "--isa arm: a process under $(command -v qemu-aarch64-static || echo 'qemu-aarch64-static (missing)')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$log"

failed=0
summary=()
start=$(date +%s)
for b in "${all[@]}"; do
  echo | tee -a "$log"
  echo "=== $b" | tee -a "$log"
  t0=$(date +%s)
  "$here/$b.sh" 2>&1 | tee "$WORK/$b.last.txt" | tee -a "$log"
  rc=${PIPESTATUS[0]}
  echo "(${b}: $(( $(date +%s) - t0 )) s, exit $rc)" | tee -a "$log"
  if [ "$rc" = 0 ]; then
    summary+=("$b: $(grep '^ratio' "$WORK/$b.last.txt" | tail -1)")
  else
    summary+=("$b: FAILED (exit $rc)")
    failed=1
  fi
done

{
  echo
  echo "=== summary ($(( $(date +%s) - start )) s in all; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf '%s\n' "${summary[@]}"
} | tee -a "$log"
echo "(saved to $log)"
exit $failed
