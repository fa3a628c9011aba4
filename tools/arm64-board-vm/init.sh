#!/bin/sh
# /init of the arm64-board-vm initramfs (busybox): mount the 9p shares, chroot into the Debian root fs,
# run /hexo-run/cmd.sh there, leave its exit code in /hexo-run/rc, power off.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
t_init=$(busybox cut -d' ' -f1 /proc/uptime)
while read -r m; do
    [ -n "$m" ] && { busybox insmod "/modules/$m.ko" || echo "[arm64-vm] insmod $m failed"; }
done < /modules/order
# Nothing changes the shared directories on the host while a guest runs, so the guest caches them
# fully (cache=loose: class loading over uncached 9p is several times slower under emulation); what
# the command writes reaches the host at the sync below. The run directory stays uncached.
o=trans=virtio,version=9p2000.L,msize=262144
fail() { echo "[arm64-vm] init: $*"; busybox poweroff -f; }
busybox mount -t 9p -o "$o,cache=loose,ro" hexoroot /newroot || fail "cannot mount the root fs"
busybox mount -t 9p -o "$o,cache=mmap" hexorun /newroot/hexo-run || fail "cannot mount the run directory"
busybox mount -t proc proc /newroot/proc
busybox mount -t sysfs sysfs /newroot/sys
busybox mount -t devtmpfs devtmpfs /newroot/dev
busybox mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
busybox mount -t tmpfs -o mode=0700 tmpfs /newroot/root
# after the tmpfs mounts, so that a share may lie under /tmp (its mount point is made here or on the host)
while read -r tag path; do
    busybox mkdir -p "/newroot$path" 2>/dev/null
    busybox mount -t 9p -o "$o,cache=loose" "$tag" "/newroot$path" || fail "cannot mount $path"
done < /newroot/hexo-run/shares
[ -e /dev/kvm ] || echo "[arm64-vm] warning: this guest kernel has no /dev/kvm"
busybox stty -F /dev/console -onlcr 2>/dev/null
t_cmd=$(busybox cut -d' ' -f1 /proc/uptime)
busybox chroot /newroot /bin/sh /hexo-run/cmd.sh
rc=$?
t_done=$(busybox cut -d' ' -f1 /proc/uptime)
echo "guest: kernel to /init ${t_init} s, command ${t_cmd}..${t_done} s" > /newroot/hexo-run/times
echo "$rc" > /newroot/hexo-run/rc
busybox sync
busybox umount /newroot/hexo-run 2>/dev/null
busybox poweroff -f
