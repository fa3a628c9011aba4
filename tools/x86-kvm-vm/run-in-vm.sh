#!/usr/bin/env bash
# Runs a command inside an x86-64 Linux guest under qemu-system-x86_64 (TCG) whose virtual CPU offers
# AMD SVM, so that kvm + kvm_amd give the guest a working /dev/kvm: a nested KVM test bed for hosts
# without one.
#
#   run-in-vm.sh [--share DIR]... [--timeout SECONDS] [--mem MIB] [--smp N] [--prepare-only] [--] CMD [ARG]...
#
# Prepared once from Debian packages (apt-get download + dpkg-deb -x) into $HEXO_X86_VM_CACHE (default
# /var/cache/hexo-x86-vm, else ~/.cache/hexo-x86-vm): Debian's amd64 kernel and its kvm/kvm-amd/9p
# modules, a busybox initramfs, and a root file system with openjdk-17-jre-headless, shared read-only
# over 9p. Each --share DIR (default: the git top level around this script) is mounted read-write at
# the same path in the guest. CMD runs as root in the caller's working directory (when shared) with
# HOME=/tmp, /tmp a tmpfs and /dev/kvm present. Exit code: CMD's; 124 timeout (default 240 s), 125 the
# guest reported nothing, 126 setup failure. Progress and timings go to stderr as "[x86-vm] ...".
# Environment: HEXO_X86_VM_CACHE, _TIMEOUT, _MEM, _SMP (defaults of the options), HEXO_X86_VM_APPEND (more
# kernel parameters; HEXO_VM_DEBUG=1 times each insmod), HEXO_X86_VM_QEMU_ARGS (more QEMU options).
set -euo pipefail

LAYOUT=4   # bump when what prepare() builds changes
say() { printf '[x86-vm] %s\n' "$*" >&2; }
die() { printf '[x86-vm] error: %s\n' "$*" >&2; exit 126; }
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shares=() timeout_s=${HEXO_X86_VM_TIMEOUT:-240} mem=${HEXO_X86_VM_MEM:-1536} smp=${HEXO_X86_VM_SMP:-2} prepare_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --share) shares+=("$(cd "$2" && pwd)") || die "no directory $2"; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --prepare-only) prepare_only=1; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || [ $prepare_only = 1 ] || die "no command given (see --help)"
[ ${#shares[@]} -gt 0 ] || shares=("$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || { cd "$here/../.." && pwd; })")

cache=${HEXO_X86_VM_CACHE:-/var/cache/hexo-x86-vm}
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=$HOME/.cache/hexo-x86-vm
mkdir -p "$cache"

# ---- tools on the host ---------------------------------------------------------------------------
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "install ${need_pkgs[*]} (apt-get install ${need_pkgs[*]})"
    say "installing ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >&2 || die "apt-get install ${need_pkgs[*]} failed"
fi

# ---- kernel, root fs and initramfs, built once per kernel package -------------------------------
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update)"
kver=${kpkg#linux-image-}
root_pkgs=(openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g busybox-static)
# load order, dependencies first (no modules.dep: insmod by path)
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p irqbypass kvm ccp kvm-amd"
stamp="$LAYOUT $kpkg ${root_pkgs[*]}"

prepare_root() {
    local debs=$cache/debs
    say "preparing $cache for $kpkg (once)"
    rm -rf "$cache/kernel" "$cache/rootfs" "$cache/stamp"
    mkdir -p "$debs"
    (cd "$debs" && apt-get download -q "$kpkg" "${root_pkgs[@]}" >&2) || die "apt-get download failed"
    mkdir -p "$cache/kernel" "$cache/rootfs"
    dpkg-deb -x "$(ls "$debs"/linux-image-"$kver"_*.deb | tail -1)" "$cache/kernel"
    # the ELF vmlinux inside the xz-compressed bzImage: QEMU boots it through its PVH entry point,
    # which skips the decompressor (~10 s under TCG)
    local z=$cache/kernel/boot/vmlinuz-$kver off
    off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$z" | head -1 | cut -d: -f1)
    if [ -n "$off" ] && { tail -c +$((off + 1)) "$z" || true; } | xz -dc --single-stream > "$cache/kernel/vmlinux" 2>/dev/null \
            && [ "$(head -c 4 "$cache/kernel/vmlinux")" = $'\x7fELF' ] && grep -q '^CONFIG_PVH=y' "$cache/kernel/boot/config-$kver"; then
        :
    else
        rm -f "$cache/kernel/vmlinux"
    fi
    for p in "${root_pkgs[@]}"; do dpkg-deb -x "$(ls "$debs"/"$p"_*.deb | tail -1)" "$cache/rootfs"; done
    # what the packages' maintainer scripts would have done, as far as CMD needs it
    local jvm; jvm=$(cd "$cache/rootfs" && ls -d usr/lib/jvm/java-17-openjdk-* | head -1)
    mkdir -p "$cache/rootfs"/{bin,usr/bin,etc,proc,sys,dev,tmp,hexo-run}
    ln -sf busybox "$cache/rootfs/bin/sh"
    for t in java keytool; do ln -sf "/$jvm/bin/$t" "$cache/rootfs/usr/bin/$t"; done
    echo "root:x:0:0:root:/tmp:/bin/sh" > "$cache/rootfs/etc/passwd"
    echo "root:x:0:" > "$cache/rootfs/etc/group"
    echo "$stamp" > "$cache/stamp"
}

# the busybox initramfs: /init (init.sh) and the modules, in load order
prepare_initramfs() {
    local tmp=$cache/initramfs m f
    rm -rf "$tmp"
    mkdir -p "$tmp"/{bin,proc,sys,dev,newroot,modules}
    cp "$cache/rootfs/bin/busybox" "$tmp/bin/busybox"
    for m in $modules; do
        f=$(find "$cache/kernel/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
        [ -n "$f" ] || die "module $m not found in $kpkg"
        case "$f" in *.xz) xz -dc "$f" > "$tmp/modules/$m.ko" ;; *) cp "$f" "$tmp/modules/$m.ko" ;; esac
    done
    echo "$modules" > "$tmp/modules/order"
    cp "$here/init.sh" "$tmp/init"
    chmod +x "$tmp/init"
    (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/initramfs.cpio.gz.tmp"
    mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
}

exec 9> "$cache/lock"
flock 9
if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
    prepare_root
    rm -f "$cache/initramfs.cpio.gz"
fi
if [ ! -f "$cache/initramfs.cpio.gz" ] || [ "$here/init.sh" -nt "$cache/initramfs.cpio.gz" ] \
        || [ "$0" -nt "$cache/initramfs.cpio.gz" ]; then
    prepare_initramfs
    say "prepared in $(since "$t0") s"
fi
flock -u 9
[ $prepare_only = 1 ] && exit 0

# ---- one run ----------------------------------------------------------------------------------------
run=$(mktemp -d "${TMPDIR:-/tmp}/hexo-x86-vm.XXXXXX")
qpid=
made=()   # mount points this run created in the root fs, as "top|leaf", removed again at the end
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
    rm -rf "$run"
    local m d
    for m in ${made[@]+"${made[@]}"}; do
        d=${m#*|}
        while rmdir "$d" 2>/dev/null && [ "$d" != "${m%%|*}" ]; do d=$(dirname "$d"); done
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

virtfs=(-virtfs "local,path=$cache/rootfs,mount_tag=hexoroot,security_model=none,readonly=on"
        -virtfs "local,path=$run,mount_tag=hexorun,security_model=none")
: > "$run/shares"
i=0
for s in "${shares[@]}"; do
    d=$cache/rootfs$s top=
    while [ ! -d "$d" ]; do top=$d; d=$(dirname "$d"); done
    mkdir -p "$cache/rootfs$s"   # the mount point inside the read-only root
    [ -z "$top" ] || made+=("$top|$cache/rootfs$s")
    virtfs+=(-virtfs "local,path=$s,mount_tag=share$i,security_model=none")
    echo "share$i $s" >> "$run/shares"
    i=$((i + 1))
done
cwd=/tmp
for s in "${shares[@]}"; do case "$PWD/" in "$s"/*) cwd=$PWD ;; esac; done
{
    echo 'export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp LANG=C.UTF-8'
    printf 'cd %q || exit 126\n' "$cwd"
    printf 'exec'; printf ' %q' "$@"; echo
} > "$run/cmd.sh"

# -cpu max: everything TCG emulates, SVM with nested paging included
kernel=$cache/kernel/vmlinux
[ -f "$kernel" ] || kernel=$cache/kernel/boot/vmlinuz-$kver
# shellcheck disable=SC2086  # HEXO_X86_VM_QEMU_ARGS: extra options, split on spaces
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 ${HEXO_X86_VM_QEMU_ARGS:-} \
    -nodefaults -no-user-config -machine pc,accel=tcg -cpu max -smp "$smp" -m "$mem" \
    -kernel "$kernel" -initrd "$cache/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 mitigations=off ${HEXO_X86_VM_APPEND:-}" \
    -display none -monitor none -serial stdio -no-reboot "${virtfs[@]}" < /dev/null &
qpid=$!
set +e
wait "$qpid"
qrc=$?
set -e
qpid=
[ -f "$run/times" ] && say "$(cat "$run/times")"
say "whole run $(since "$t0") s"
if [ -f "$run/rc" ]; then exit "$(cat "$run/rc")"; fi
[ $qrc = 124 ] && { say "timed out after $timeout_s s"; exit 124; }
say "the guest ended without reporting an exit code (qemu exit $qrc)"
exit 125
