#!/usr/bin/env bash
# Runs uring4j on Debian 12's Linux 6.1 (the kernel of Debian 12, Ubuntu 22.04 HWE and many clouds)
# in a throw-away VM, to check what works on a kernel older than the one the suite is written on:
# `bin/uring4j probe`, the Quick start (ReadmeQuickStartTest) and the core suite (or what you name).
#
#   bench/kernels.sh [--kernel PACKAGE] [--kvm] [-- MAVEN_TEST_ARGS...]
#     PACKAGE   a Debian kernel image package (default linux-image-6.1.0-47-amd64-unsigned)
#     --kvm     run on KVM instead of emulating the CPU (TCG, many times slower, but it works
#               everywhere: under nested virtualization this VM's KVM hangs the guest at boot).
#               TCG emulates a Westmere (SSE4.2, no AVX): with -cpu max the JIT's code crashed there.
#     after --, arguments for the core module's `mvn verify` (default: the whole core suite on io_uring,
#     e.g. -- -Dtest=LinkTest -Dsurefire.failIfNoSpecifiedTests=false)
#
# How: the kernel package is fetched with apt-get download and unpacked under target/kernels (never
# committed); a small initramfs (busybox and the virtio/9p modules of that kernel) mounts this
# machine's root over virtio-9p, chroots into it with /tmp on a tmpfs, runs the checks in this
# worktree, and powers off. The guest writes target/ in this worktree, as a local build would. It
# installs qemu-system-x86 and busybox-static with apt-get when run as root. Output: the console,
# and target/kernels/<release>.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
package=linux-image-6.1.0-47-amd64-unsigned
accel=tcg
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) package=$2; shift 2 ;;
    --kvm) accel=kvm; shift ;;
    --) shift; break ;;
    *) echo "usage: $0 [--kernel PACKAGE] [--kvm] [-- MAVEN_TEST_ARGS...]" >&2; exit 2 ;;
  esac
done
mvn_args=("$@")
[ ${#mvn_args[@]} -gt 0 ] || mvn_args=(-During4j.portable.skip=true)

need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
  else
    echo "needs ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
fi
. "$root/bin/jdk.sh"
uring4j_find_jdk
uring4j_find_mvn
"$root/bin/uring4j" --version >/dev/null # built on the host: the guest only runs it

work=$root/target/kernels
mkdir -p "$work"
deb=$(ls "$work"/"$package"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  (cd "$work" && apt-get download "$package" >&2)
  deb=$(ls "$work"/"$package"_*.deb | head -1)
fi
unpacked=$work/${package}
[ -d "$unpacked/boot" ] || dpkg-deb -x "$deb" "$unpacked"
release=$(ls "$unpacked/lib/modules" | head -1)
vmlinuz=$unpacked/boot/vmlinuz-$release
mods=$unpacked/lib/modules/$release/kernel

# The initramfs: busybox, the modules a 9p root needs (in load order), and /init.
initrd=$work/$release.initrd
rm -rf "$work/initramfs" && mkdir -p "$work/initramfs"/{bin,mnt,proc,sys,dev,lib/modules}
cp /bin/busybox "$work/initramfs/bin/"
for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_legacy_dev \
         drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
         fs/fscache/fscache fs/netfs/netfs fs/9p/9p; do
  [ -f "$mods/$m.ko" ] && cp "$mods/$m.ko" "$work/initramfs/lib/modules/"
done
order="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p"
java_home=$URING4J_JAVA_HOME
mvn_bin=$URING4J_MVN
cat > "$work/initramfs/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $order; do [ -f /lib/modules/\$m.ko ] && insmod /lib/modules/\$m.ko 2>/dev/null; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose host /mnt || { echo "9p mount failed"; poweroff -f; }
mount -t proc proc /mnt/proc; mount -t sysfs sys /mnt/sys; mount -t devtmpfs dev /mnt/dev
mount -t tmpfs tmp /mnt/tmp
chroot /mnt /bin/bash -c 'export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin JAVA_HOME=$java_home URING4J_AOT=0
  cd $root
  echo "=== uname -r: \$(uname -r)"
  echo "=== bin/uring4j probe"; bin/uring4j probe; echo "exit \$?"
  echo "=== core suite: mvn verify ${mvn_args[*]}"
  $mvn_bin -B -ntp -o -q -Dstyle.color=never -pl uring4j-core verify ${mvn_args[*]} </dev/null 2>&1 | grep -E "Tests run:|FAIL|ERROR\\]|Skipped" | grep -v "^\\[INFO\\] Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: 0"
  echo "exit \${PIPESTATUS[0]}"'
echo "=== done"
poweroff -f
EOF
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd"

log=$work/$release.log
echo "booting Linux $release ($accel) ..." >&2
qemu-system-x86_64 -accel "$accel" -cpu "$([ "$accel" = kvm ] && echo host,-arch-capabilities || echo Westmere)" -m 4096 -smp 2 -nographic -no-reboot \
  -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 panic=-1 quiet" \
  -virtfs local,path=/,mount_tag=host,security_model=passthrough,multidevs=remap </dev/null | tee "$log"
