#!/bin/busybox sh
# /init of the x86-kvm-vm initramfs: load the modules (virtio/9p, then kvm and kvm-amd), mount the
# shares, chroot into the Debian root fs, run /hexo-run/cmd.sh, leave its exit code in /hexo-run/rc,
# power off.
export PATH=/bin
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
t_init=$($bb cut -d' ' -f1 /proc/uptime)
for m in $($bb cat /modules/order); do
    $bb insmod /modules/$m.ko 2>/dev/null || echo "[x86-vm] insmod $m failed"
    [ -n "$HEXO_VM_DEBUG" ] && echo "[x86-vm] $m at $($bb cut -d' ' -f1 /proc/uptime)"
done
fail() { echo "[x86-vm] init: $*"; $bb poweroff -f; }
o=trans=virtio,version=9p2000.L,msize=262144
$bb mount -t 9p -o "$o,cache=loose,ro" hexoroot /newroot || fail "cannot mount the root fs"
$bb mount -t 9p -o "$o,cache=mmap" hexorun /newroot/hexo-run || fail "cannot mount the run directory"
$bb mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
while read -r tag path; do
    $bb mkdir -p "/newroot$path" 2>/dev/null  # shares under /tmp live on the tmpfs
    $bb mount -t 9p -o "$o,cache=loose" "$tag" "/newroot$path" || fail "cannot mount $path"
done < /newroot/hexo-run/shares
$bb mount -t proc proc /newroot/proc
$bb mount -t sysfs sysfs /newroot/sys
$bb mount -t devtmpfs devtmpfs /newroot/dev
if [ ! -e /dev/kvm ]; then
    echo "[x86-vm] warning: no /dev/kvm in the guest; kernel says:"
    $bb dmesg | $bb grep -i -E 'kvm|svm' | $bb tail -5
fi
$bb stty -F /dev/console -onlcr 2>/dev/null
t_cmd=$($bb cut -d' ' -f1 /proc/uptime)
$bb chroot /newroot /bin/sh /hexo-run/cmd.sh < /dev/null
rc=$?
t_end=$($bb cut -d' ' -f1 /proc/uptime)
echo "guest clock: /init at ${t_init} s, command ${t_cmd} s to ${t_end} s" > /newroot/hexo-run/times
echo "$rc" > /newroot/hexo-run/rc
$bb sync
$bb umount /newroot/hexo-run 2>/dev/null
$bb poweroff -f
