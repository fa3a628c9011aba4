#!/usr/bin/env bash
# Runs one command inside an AArch64 Linux guest under qemu-system-aarch64 (EL2 enabled), whose kernel
# offers a working /dev/kvm: a stand-in for an ARM64 board on an x86-64 machine.
#
#   run-in-vm.sh [--share DIR]... [--timeout SECONDS] [--mem MIB] [--smp N] [--refresh] [--] CMD [ARG]...
#   run-in-vm.sh --prepare-only        # install host tools, build the cache, boot nothing
#
# Everything comes from Debian's packages (dpkg --add-architecture arm64, apt-get download, dpkg-deb -x)
# and is cached in $HEXO_ARM64_VM_CACHE (default /var/cache/hexo-arm64-vm, or ~/.cache/hexo-arm64-vm when
# that is not writable): the kernel, a root file system with openjdk-17 (arm64), busybox, and an initramfs.
# Each --share DIR (default: the project directory, the git top level around this script) is mounted
# read-write over 9p at the same absolute path inside the guest, and CMD starts in the caller's working
# directory when that lies in a share. CMD runs as root in the guest with PATH including the arm64 JDK,
# /tmp and /root tmpfs, /dev/kvm present, HEXO_IN_ARM64_VM=1. The script exits with CMD's exit code;
# 124 when the outer timeout (default 240 s) hit, 125 when the guest never reported one, 126 for setup
# problems. Standard input is not used (works with stdin closed). Timings go to stderr, prefixed
# [arm64-vm]. Defaults: 1 vCPU, 2048 MiB (HEXO_ARM64_VM_SMP, HEXO_ARM64_VM_MEM, HEXO_ARM64_VM_TIMEOUT).
# Missing host tools (qemu-system-arm, cpio, binutils-aarch64-linux-gnu) are installed with apt-get when
# running as root; --refresh re-resolves and re-downloads the packages (e.g. after a kernel update).
set -euo pipefail

PREPARE_VERSION=4   # bump when the prepared layout changes
say() { printf '[arm64-vm] %s\n' "$*" >&2; }
die() { printf '[arm64-vm] error: %s\n' "$*" >&2; exit 126; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shares=()
timeout_s=${HEXO_ARM64_VM_TIMEOUT:-240}
mem=${HEXO_ARM64_VM_MEM:-2048}
smp=${HEXO_ARM64_VM_SMP:-1}   # 1 measured faster than 2 on a busy 2-core host
prepare_only=0
refresh=0
while [ $# -gt 0 ]; do
    case "$1" in
        --share) [ $# -ge 2 ] || die "--share needs a directory"; shares+=("$(cd "$2" && pwd)") || die "no directory $2"; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --prepare-only) prepare_only=1; shift ;;
        --refresh) refresh=1; shift ;;
        -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
done
if [ $prepare_only = 0 ] && [ $# -eq 0 ]; then die "no command given (see --help)"; fi
if [ ${#shares[@]} -eq 0 ]; then
    shares+=("$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))")
fi

if [ -n "${HEXO_ARM64_VM_CACHE:-}" ]; then
    cache=$HEXO_ARM64_VM_CACHE
elif mkdir -p /var/cache/hexo-arm64-vm 2>/dev/null && [ -w /var/cache/hexo-arm64-vm ]; then
    cache=/var/cache/hexo-arm64-vm
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/hexo-arm64-vm
fi
mkdir -p "$cache" || die "cannot create cache directory $cache"

t_start=$(now)

# ---------------------------------------------------------------------------------------------------
# Host tools
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=0
apt_update() {   # once per run, or again with "force" (after adding an architecture)
    if [ $apt_updated = 0 ] || [ "${1:-}" = force ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2 || die "apt-get update failed"
        apt_updated=1
    fi
}
need_host_tools() {
    local missing=()
    command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
    command -v cpio >/dev/null || missing+=(cpio)
    # the KvmArm64 tests assemble their guests with it before they boot the VM
    command -v aarch64-linux-gnu-as >/dev/null || missing+=(binutils-aarch64-linux-gnu)
    command -v dpkg-deb >/dev/null || die "dpkg-deb is missing: this rig needs a Debian-based host"
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        apt_update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >&2 \
            || die "cannot install ${missing[*]}: run 'apt-get install ${missing[*]}' as root"
    fi
}

# ---------------------------------------------------------------------------------------------------
# Kernel, root file system, initramfs (idempotent; serialized by a lock)
ROOT_PKGS="openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g busybox-static"
stamp="$cache/ready-v$PREPARE_VERSION"

prepare() {
    local t0; t0=$(now)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        say "dpkg --add-architecture arm64"
        as_root dpkg --add-architecture arm64 || die "cannot add the arm64 architecture: run 'dpkg --add-architecture arm64 && apt-get update' as root"
        apt_update force
    fi
    local kpkg
    kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }') || true
    if [ -z "$kpkg" ]; then
        apt_update
        kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }') || true
    fi
    [ -n "$kpkg" ] || die "cannot resolve the Debian arm64 kernel package (apt-cache depends linux-image-arm64:arm64)"
    kpkg=${kpkg%:arm64}
    say "preparing in $cache: kernel $kpkg, root fs $ROOT_PKGS"

    local work="$cache/work.$$"
    rm -rf "$work"; mkdir -p "$work/debs" "$work/kernel" "$work/rootfs" "$work/initramfs"
    if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi
    local pkgs=("$kpkg:arm64")
    for p in $ROOT_PKGS; do pkgs+=("$p:arm64"); done
    (cd "$work/debs" && apt-get download -q "${pkgs[@]}" </dev/null >&2) || {
        apt_update
        (cd "$work/debs" && apt-get download -q "${pkgs[@]}" </dev/null >&2) || die "apt-get download ${pkgs[*]} failed"
    }
    say "downloaded $(ls "$work/debs" | wc -l) packages ($(du -sh "$work/debs" | cut -f1)) in $(elapsed "$t0") s"

    # kernel image and modules
    dpkg-deb -x "$work/debs/${kpkg}"_*.deb "$work/kernel"
    local vmlinuz kver
    vmlinuz=$(ls "$work/kernel"/boot/vmlinuz-* | head -1) || die "no boot/vmlinuz in $kpkg"
    kver=${vmlinuz##*/vmlinuz-}
    # root fs: every package except the kernel
    for deb in "$work"/debs/*.deb; do
        case "$deb" in */${kpkg}_*) continue ;; esac
        dpkg-deb -x "$deb" "$work/rootfs"
    done
    local r="$work/rootfs"
    for d in bin sbin lib; do   # merged-/usr packages rely on base-files for these links
        [ -e "$r/$d" ] || [ ! -d "$r/usr/$d" ] || ln -s "usr/$d" "$r/$d"
    done
    mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/hexo-run" "$r/root" "$r/etc"
    local jhome
    jhome=$(ls -d "$r"/usr/lib/jvm/java-17-openjdk-arm64 2>/dev/null) || die "openjdk-17 not found in the root fs"
    [ -e "$r/bin/sh" ] || ln -s busybox "$r/bin/sh"
    [ -x "$r/bin/busybox" ] || die "busybox-static did not provide /bin/busybox"
    echo "root:x:0:0:root:/root:/bin/sh" > "$r/etc/passwd"
    echo "root:x:0:" > "$r/etc/group"
    printf '127.0.0.1 localhost\n' > "$r/etc/hosts"

    # initramfs parts: busybox and the 9p and virtio-pci modules with their dependencies, in load order
    local i="$work/initramfs" mods="$work/kernel/lib/modules/$kver"
    mkdir -p "$i/modules"
    cp "$r/bin/busybox" "$i/busybox"
    local order=() seen=" "
    modpath() { find "$mods" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -1; }
    add_module() {   # depth-first so dependencies load first; built-in ones have no file
        local name=${1//-/_} f deps dep
        case "$seen" in *" $name "*) return ;; esac
        seen="$seen$name "
        f=$(modpath "$name"); [ -n "$f" ] || f=$(modpath "${name//_/-}")
        [ -n "$f" ] || return 0
        case "$f" in
            *.xz) xz -dc "$f" > "$i/modules/$name.ko" ;;
            *.zst) zstd -qdc "$f" > "$i/modules/$name.ko" ;;
            *) cp "$f" "$i/modules/$name.ko" ;;
        esac
        deps=$(tr '\0' '\n' < "$i/modules/$name.ko" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
        for dep in $deps; do add_module "$dep"; done
        order+=("$name")
    }
    for m in virtio_pci 9pnet_virtio 9p; do add_module "$m"; done
    printf '%s\n' "${order[@]}" > "$i/modules/order"
    say "initramfs modules: ${order[*]:-(all built in)}"

    # publish
    rm -rf "$cache/rootfs" "$cache/Image" "$cache/initramfs-parts" "$cache/initrd.gz"
    mv "$work/rootfs" "$cache/rootfs"
    cp "$vmlinuz" "$cache/Image"
    mv "$i" "$cache/initramfs-parts"
    echo "$kpkg" > "$cache/kernel-package"
    rm -rf "$work"
    touch "$stamp"
    say "prepared in $(elapsed "$t0") s"
}

build_initrd() {   # busybox, the modules, this directory's init.sh
    local i="$cache/initrd.work.$$"
    rm -rf "$i"; mkdir -p "$i/bin" "$i/proc" "$i/sys" "$i/dev" "$i/newroot"
    cp -r "$cache/initramfs-parts/modules" "$i/modules"
    cp "$cache/initramfs-parts/busybox" "$i/bin/busybox"
    ln -s busybox "$i/bin/sh"
    cp "$here/init.sh" "$i/init"
    chmod +x "$i/init"
    (cd "$i" && find . | cpio -o -H newc --quiet | gzip -1 > "$cache/initrd.gz.new")
    mv "$cache/initrd.gz.new" "$cache/initrd.gz"
    rm -rf "$i"
}

need_host_tools
exec 9>"$cache/.lock"
flock 9
if [ $refresh = 1 ] || [ ! -e "$stamp" ]; then
    rm -f "$stamp" "$cache/init-sum"
    prepare
fi
init_sum=$(sha1sum "$here/init.sh" | cut -c1-12)
if [ ! -s "$cache/initrd.gz" ] || [ "$(cat "$cache/init-sum" 2>/dev/null)" != "$init_sum" ]; then
    build_initrd
    echo "$init_sum" > "$cache/init-sum"
fi
for s in "${shares[@]}"; do mkdir -p "$cache/rootfs$s"; done   # mount points in the read-only root
flock -u 9
t_prepared=$(now)
[ $prepare_only = 1 ] && { say "ready in $cache ($(elapsed "$t_start") s)"; exit 0; }

# ---------------------------------------------------------------------------------------------------
# One run
run=$(mktemp -d "${TMPDIR:-/tmp}/hexo-arm64-run.XXXXXX")
trap 'rm -rf "$run"' EXIT
quote() { local s; for s in "$@"; do printf "'%s' " "${s//\'/\'\\\'\'}"; done; }
cwd=/
for s in "${shares[@]}"; do case "$PWD/" in "$s"/*) cwd=$PWD ;; esac; done
{
    echo "export HOME=/root PATH=/usr/lib/jvm/java-17-openjdk-arm64/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "export HEXO_IN_ARM64_VM=1"
    echo "cd $(quote "$cwd")"
    echo "$(quote "$@")"
} > "$run/cmd.sh"
: > "$run/shares"
virtfs=(-virtfs "local,path=$cache/rootfs,mount_tag=hexoroot,security_model=none,readonly=on"
        -virtfs "local,path=$run,mount_tag=hexorun,security_model=none")
n=0
for s in "${shares[@]}"; do
    virtfs+=(-virtfs "local,path=$s,mount_tag=hexoshare$n,security_model=none")
    echo "hexoshare$n $s" >> "$run/shares"
    n=$((n + 1))
done

say "booting (timeout ${timeout_s} s, ${smp} vCPUs, ${mem} MiB); shares: ${shares[*]}"
t_boot=$(now)
set +e
nice -n 5 timeout -k 5 "$timeout_s" qemu-system-aarch64 \
    -machine virt,virtualization=on,gic-version=3 -cpu max,pauth=off -accel tcg,thread=multi \
    -smp "$smp" -m "$mem" -nodefaults -nic none -display none -monitor none -serial stdio -no-reboot \
    -kernel "$cache/Image" -initrd "$cache/initrd.gz" \
    -append "console=ttyAMA0 panic=-1 quiet rdinit=/init" \
    "${virtfs[@]}" </dev/null
qrc=$?
set -e
t_end=$(now)
if [ -s "$run/rc" ]; then
    rc=$(tr -dc '0-9' < "$run/rc")
    [ -n "$rc" ] || rc=125
elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
    say "error: the guest did not finish within $timeout_s s (raise with --timeout)"; rc=124
else
    say "error: the guest stopped without reporting an exit code (qemu exit $qrc)"; rc=125
fi
guest_times=$(cat "$run/times" 2>/dev/null || true)
say "exit $rc; prepare $(awk -v a="$t_start" -v b="$t_prepared" 'BEGIN{printf "%.1f", b-a}') s, qemu $(awk -v a="$t_boot" -v b="$t_end" 'BEGIN{printf "%.1f", b-a}') s${guest_times:+ ($guest_times)}, total $(elapsed "$t_start") s"
exit "$rc"
