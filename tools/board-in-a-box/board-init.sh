#!/bin/sh
# PID 1 of the board in a box, inside its Debian root: the network QEMU's user mode expects
# (10.0.2.15, gateway 10.0.2.2), then OpenSSH's server in the foreground (it also reaps orphans).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Commands no package here provides (awk, ip, ps, ...) from busybox; existing ones (coreutils' in /usr/bin)
# stay first: this /bin is a directory of its own, and busybox's tail (no --pid, whole seconds) in /bin
# would shadow coreutils' for any PATH that lists /bin first.
for c in $(/bin/busybox --list); do
    [ -e "/bin/$c" ] || [ -e "/usr/bin/$c" ] || [ -e "/sbin/$c" ] || [ -e "/usr/sbin/$c" ] || ln -s /bin/busybox "/bin/$c"
done
busybox ip link set lo up
busybox ip link set eth0 up
busybox ip addr add 10.0.2.15/24 dev eth0
busybox ip route add default via 10.0.2.2
busybox hostname board-in-a-box
mkdir -p /run/sshd
[ -e /dev/kvm ] && echo "board-in-a-box: /dev/kvm present" || echo "board-in-a-box: no /dev/kvm in this kernel"
exec /usr/sbin/sshd -D -e
