#!/usr/bin/env bash
# Compute kernels (bench/kernels/: EP, CG, MG, FT after NPB 3.3, NPB IS from resources/samples, and
# stream, dhry, matmul, recursion) as hexo guests vs the same C as native programs, side by side.
#
#   bench/kernels.sh                    # class A on x86-64, class S for the AArch64 comparison
#   CLASS=B bench/kernels.sh            # class B (several times longer)
#   bench/kernels.sh ep cg              # only these kernels
#
# x86-64: `hexo run --isa x86 --engine kvm` and `--engine process` vs `clang-16 -O2` as a Linux process.
# AArch64: `hexo run --isa arm --engine process` (the image under qemu-aarch64-static) vs the same C as a
# static AArch64 program (`clang-16 --target=aarch64-linux-gnu -O2 -static`) under the same qemu.
# Each round runs every variant of a kernel once, one after the other, so load from other users falls
# on all of them alike; the table keeps each variant's best of REPS rounds.
# Times are the kernels' own " Time in seconds" (the timed section); "whole" is the wall time of the
# whole command (JVM, boot, set-up, run, exit) and is only judged for runs of 5 s or more.
# Every guest run must verify, and print the same " Result =" bits on both ISAs, and again after migrating
# from x86-64 to AArch64 at its second migration point (class ARM_CLASS).
# Variables: CLASS (A), ARM_CLASS (S; "none" skips AArch64), REPS (2), ARM_REPS (2), ENGINES ("kvm process"),
# MEM (2G).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLASS="${CLASS:-A}"
ARM_CLASS="${ARM_CLASS:-S}"
REPS="${REPS:-2}"
ARM_REPS="${ARM_REPS:-2}"
MEM="${MEM:-2G}"
ENGINES="${ENGINES:-kvm process}"
KERNELS_DIR="$BENCH_DIR/kernels"
QEMU="${QEMU:-qemu-aarch64-static}"
known=(ep cg mg ft is stream dhry matmul recursion)
all=("${known[@]}")
[ $# -gt 0 ] && all=("$@")
for k in "${all[@]}"; do
  [ "$k" = is ] || [ -f "$KERNELS_DIR/$k/$k.c" ] || { echo "no kernel '$k': choose from ${known[*]}" >&2; exit 2; }
done
kvm_available || ENGINES="${ENGINES//kvm/}"
OUT="$WORK/kernels"
mkdir -p "$OUT"

# src_of K: the kernel's source directory; flags_of K CLASS: its compile flags (hexo and native alike).
src_of() { if [ "$1" = is ]; then echo "$SAMPLES/npb-is"; else echo "$KERNELS_DIR/$1"; fi; }
flags_of() {
  if [ "$1" = is ]; then echo "-DCLASS=$2"; else echo "-DCLASS=$2 -I$KERNELS_DIR/common"; fi
}
native_of() { # native_of K CLASS ISA OUTFILE
  local k="$1" cls="$2" isa="$3" exe="$4" src extra=()
  src=$(src_of "$k")
  [ "$k" = is ] && extra=(-I "$SAMPLES/native-stub")
  if [ "$isa" = x86 ]; then
    clang-16 -O2 $(flags_of "$k" "$cls") "${extra[@]}" "$src"/*.c -lm -o "$exe"
  else
    clang-16 --target=aarch64-linux-gnu -O2 -static $(flags_of "$k" "$cls") "${extra[@]}" "$src"/*.c -lm -o "$exe"
  fi
}

# run_one LABEL OUTFILE CMD...: runs it, checks the verification line; prints "inprogram wall".
run_one() {
  local label="$1" out="$2" t0 wall
  shift 2
  t0=$(now)
  if ! "$@" >"$out" 2>"$out.err"; then
    echo "$label failed (exit $?):" >&2; tail -5 "$out" "$out.err" >&2; return 1
  fi
  wall=$(since "$t0")
  npb_verified "$out" || { echo "$label did not verify:" >&2; tail -5 "$out" >&2; return 1; }
  echo "$(npb_time "$out") $wall"
}
result_of() { awk '/ Result = / { print $NF }' "$1" | tail -1; }

# geomean of the arguments (n/a ignored).
geomean() { printf '%s\n' "$@" | awk '/^[0-9.]+$/ { s += log($1); n++ } END { if (n) printf "%.2f", exp(s / n); else print "n/a" }'; }
maxof() { printf '%s\n' "$@" | awk '/^[0-9.]+$/ { if ($1 > m) m = $1 } END { printf "%.2f", m }'; }

ensure_hexo_built
declare -A best wall results
keep_best() { # keep_best KEY "inprogram wall"
  local key="$1" t w
  read -r t w <<<"$2"
  if [ -z "${best[$key]:-}" ] || awk -v a="$t" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then best[$key]=$t; fi
  if [ -z "${wall[$key]:-}" ] || awk -v a="$w" -v b="${wall[$key]}" 'BEGIN { exit !(a < b) }'; then wall[$key]=$w; fi
}

failed=0
migrated=()
for k in "${all[@]}"; do
  src=$(src_of "$k")
  echo "building $k (class $CLASS${ARM_CLASS:+, AArch64 class $ARM_CLASS})..." >&2
  hexo_build "$src" "$OUT/$k-$CLASS" "$(flags_of "$k" "$CLASS")"
  native_of "$k" "$CLASS" x86 "$OUT/$k-$CLASS.native"
  if [ "$ARM_CLASS" != none ]; then
    hexo_build "$src" "$OUT/$k-$ARM_CLASS" "$(flags_of "$k" "$ARM_CLASS")"
    native_of "$k" "$ARM_CLASS" arm "$OUT/$k-$ARM_CLASS.native-arm"
  fi
  for r in $(seq "$REPS"); do
    v=$(run_one "$k native" "$OUT/$k.native.out" "$OUT/$k-$CLASS.native") || { failed=1; continue 2; }
    keep_best "$k native" "$v"
    for e in $ENGINES; do
      hexo_fresh
      v=$(run_one "$k guest $e" "$OUT/$k.$e.out" "$HEXO" run --isa x86 --engine "$e" --mem "$MEM" "$OUT/$k-$CLASS") || { failed=1; continue 3; }
      keep_best "$k $e" "$v"
      results["$k x86 $e"]=$(result_of "$OUT/$k.$e.out")
    done
  done
  if [ "$ARM_CLASS" != none ]; then
    for r in $(seq "$ARM_REPS"); do
      v=$(run_one "$k native AArch64" "$OUT/$k.qemu.out" "$QEMU" "$OUT/$k-$ARM_CLASS.native-arm") || { failed=1; continue 2; }
      keep_best "$k qemu" "$v"
      hexo_fresh
      v=$(run_one "$k guest AArch64" "$OUT/$k.arm.out" "$HEXO" run --isa arm --engine process --mem "$MEM" "$OUT/$k-$ARM_CLASS") || { failed=1; continue 2; }
      keep_best "$k arm" "$v"
      results["$k arm"]=$(result_of "$OUT/$k.arm.out")
    done
    # The same class on both ISAs must give the same bits: compare with an x86 guest run of ARM_CLASS.
    if [ "$ARM_CLASS" = "$CLASS" ]; then x86res="${results["$k x86 ${ENGINES%% *}"]:-}"; else
      "$HEXO" run --isa x86 --mem "$MEM" "$OUT/$k-$ARM_CLASS" >"$OUT/$k.x86-armclass.out" 2>/dev/null || true
      x86res=$(result_of "$OUT/$k.x86-armclass.out")
    fi
    if [ "${results["$k arm"]:-}" != "$x86res" ]; then
      echo "$k: the AArch64 guest's result ${results["$k arm"]:-?} differs from the x86-64 guest's $x86res" >&2; failed=1
    fi
    # Migrated at its second migration point, x86-64 -> AArch64, it must still print the same bits.
    ck="$OUT/$k-$ARM_CLASS.ck"; rm -rf "$ck"; mkdir -p "$ck"
    set +e
    "$HEXO" run --isa x86 --mem "$MEM" --checkpoint-dir "$ck" --migrate-at-point 2 "$OUT/$k-$ARM_CLASS" >"$OUT/$k.mig1.out" 2>&1
    rc=$?
    set -e
    if [ "$rc" != 75 ]; then
      echo "$k: the run to migrate ended with status $rc instead of checkpointing at its second migration point" >&2; failed=1
    elif ! "$HEXO" run --isa arm --mem "$MEM" --checkpoint-dir "$ck" --resume "$OUT/$k-$ARM_CLASS" >"$OUT/$k.mig2.out" 2>&1; then
      echo "$k: the migrated run failed on AArch64:" >&2; tail -3 "$OUT/$k.mig2.out" >&2; failed=1
    elif ! npb_verified "$OUT/$k.mig2.out"; then
      echo "$k: migrated x86-64 -> AArch64 it did not verify" >&2; failed=1
    elif [ "$(result_of "$OUT/$k.mig2.out")" != "$x86res" ]; then
      echo "$k: migrated x86-64 -> AArch64 it printed $(result_of "$OUT/$k.mig2.out"), unmigrated $x86res" >&2; failed=1
    else
      migrated+=("$k")
    fi
  fi
  for e in $ENGINES; do
    if [ -n "${results["$k x86 $e"]:-}" ] && [ "${results["$k x86 $e"]}" != "${results["$k x86 ${ENGINES%% *}"]}" ]; then
      echo "$k: engine $e printed a different result" >&2; failed=1
    fi
  done
done

echo
echo "Compute kernels, class $CLASS on x86-64 (AArch64: class $ARM_CLASS under $QEMU); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
     "best of $REPS (x86) / $ARM_REPS (AArch64) rounds, times in s, ratio = guest / native"
header=$(printf '  %-10s %9s' kernel native)
for e in $ENGINES; do header+=$(printf ' %9s %6s' "$e" ratio); done
[ "$ARM_CLASS" != none ] && header+=$(printf ' %9s %9s %6s' qemu-arm guest-arm ratio)
echo "$header"
declare -A col
wholecol=()
for k in "${all[@]}"; do
  n="${best["$k native"]:-}"
  line=$(printf '  %-10s %9s' "$k" "${n:-fail}")
  for e in $ENGINES; do
    g="${best["$k $e"]:-}"; q=$(ratio "${g:-x}" "${n:-x}")
    col[$e]+=" $q"
    line+=$(printf ' %9s %6s' "${g:-fail}" "$q")
    nw="${wall["$k native"]:-0}"
    if awk -v w="$nw" 'BEGIN { exit !(w >= 5) }'; then wholecol+=("$k/$e $(ratio "${wall["$k $e"]:-x}" "$nw")"); fi
  done
  if [ "$ARM_CLASS" != none ]; then
    qn="${best["$k qemu"]:-}"; ga="${best["$k arm"]:-}"; q=$(ratio "${ga:-x}" "${qn:-x}")
    col[arm]+=" $q"
    line+=$(printf ' %9s %9s %6s' "${qn:-fail}" "${ga:-fail}" "$q")
  fi
  echo "$line"
done
line=$(printf '  %-10s %9s' "geomean" "")
for e in $ENGINES; do line+=$(printf ' %9s %6s' "" "$(geomean ${col[$e]})"); done
[ "$ARM_CLASS" != none ] && line+=$(printf ' %9s %9s %6s' "" "" "$(geomean ${col[arm]})")
echo "$line"
line=$(printf '  %-10s %9s' "max" "")
for e in $ENGINES; do line+=$(printf ' %9s %6s' "" "$(maxof ${col[$e]})"); done
[ "$ARM_CLASS" != none ] && line+=$(printf ' %9s %9s %6s' "" "" "$(maxof ${col[arm]})")
echo "$line"
[ ${#migrated[@]} -gt 0 ] && echo "  migrated x86-64 -> AArch64 at the 2nd migration point, same result bits as unmigrated: ${migrated[*]}"
if [ ${#wholecol[@]} -gt 0 ]; then
  echo "  whole process (hexo run / native, runs >= 5 s native): ${wholecol[*]}"
fi
# One line, as every bench script ends (run-all.sh keeps the last "ratio" line).
summary=""
for e in $ENGINES; do summary+="x86-64 $e $(geomean ${col[$e]}) (max $(maxof ${col[$e]})), "; done
[ "$ARM_CLASS" != none ] && summary+="AArch64 class $ARM_CLASS $(geomean ${col[arm]}) (max $(maxof ${col[arm]})), "
echo "ratio guest/native geomean: ${summary%, } (targets: geomean <= 1.10, each <= 1.25; class $CLASS)"
exit $failed
