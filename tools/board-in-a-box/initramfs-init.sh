#!/bin/sh
# /init of the board-in-a-box initramfs (busybox): load the 9p and virtio-net modules, mount the board's
# disk (a directory on the host, over 9p, read-write) and hand over to its /hexo-box/board-init.sh.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
while read -r m; do
    [ -n "$m" ] && { busybox insmod "/modules/$m.ko" || echo "board-in-a-box: insmod $m failed"; }
done < /modules/order
fail() { echo "board-in-a-box: init: $*"; busybox poweroff -f; }
# cache=loose: only this guest writes the disk while it runs, and class loading over uncached 9p is
# several times slower under emulation (tools/arm64-board-vm/README.md)
busybox mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose boxroot /newroot || fail "cannot mount the board's disk"
busybox mount -t proc proc /newroot/proc
busybox mount -t sysfs sysfs /newroot/sys
busybox mount -t devtmpfs devtmpfs /newroot/dev
busybox mkdir -p /newroot/dev/pts
busybox mount -t devpts devpts /newroot/dev/pts
busybox mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
busybox mount -t tmpfs -o mode=0755 tmpfs /newroot/run
exec busybox chroot /newroot /bin/sh /hexo-box/board-init.sh
