#!/bin/bash
# 90powernode: Powernode initramfs stage: node identity, verified and layered root,
# host shares, switch_root handover to the agent.
#
# This file is sourced by dracut (bash) at build time. Do NOT `set -eu` here: it
# would leak into dracut itself. The same holds for the hook stubs, which dracut
# sources into its hook runner; all runtime logic lives in powernode-init.sh and the
# files it sources, which run as their own process in strict mode.
#
# Enable with: add_dracutmodules+=" powernode "   (dracut/powernode.conf)

# $moddir is set by dracut for the module being installed.
# shellcheck disable=SC2154

# Only included when asked for (add_dracutmodules / --add powernode).
check() {
    return 255
}

# kernel-modules provides modprobe + the module tree; base provides /init and
# dracut-lib.sh (the hook runner). Both are in every dracut initrd anyway.
depends() {
    echo base kernel-modules
    return 0
}

installkernel() {
    # fw-cfg (identity), virtio-net (IMDS), 9p (seed, shares), ext4 + erofs +
    # overlay + loop (verified root), virtiofs (shares).
    hostonly='' instmods qemu_fw_cfg virtio_net 9p 9pnet_virtio virtiofs ext4 erofs overlay loop
    # The live root (live.sh): an ISO 9660 medium (CD or disk) holding a squashfs.
    hostonly='' instmods squashfs isofs sr_mod cdrom
}

install() {
    # Everything the worker runs besides shell builtins.
    inst_multiple mkdir mv rm cp chmod modprobe mount sleep blkid
    # The verified image: enable/measure fs-verity. Optional at build time so an
    # initrd without it still builds; powernode.image= then refuses the boot.
    inst_multiple -o fsverity
    # IMDS over HTTP: busybox's ip, udhcpc, wget and timeout, under a private path so
    # that no applet shadows dracut's tools.
    inst_binary /usr/bin/busybox /usr/lib/powernode/busybox

    inst_script "$moddir/powernode-init.sh" /usr/sbin/powernode-init
    inst_simple "$moddir/powernode-lib.sh" /usr/lib/powernode/lib.sh
    inst_simple "$moddir/powernode-identity.sh" /usr/lib/powernode/identity.sh
    inst_simple "$moddir/powernode-root.sh" /usr/lib/powernode/root.sh
    inst_simple "$moddir/powernode-live.sh" /usr/lib/powernode/live.sh
    inst_script "$moddir/powernode-udhcpc.sh" /usr/lib/powernode/udhcpc.sh
    inst_simple "$moddir/powernode-launch.sh" /usr/lib/powernode/launch.sh

    # cmdline hooks run first, before dracut insists on a root= argument, so the
    # marker appears on a plain -kernel/-initrd boot without any disk.
    inst_hook cmdline 05 "$moddir/powernode-cmdline.sh"
    # After dracut's parse-root-opts (20): accept root=powernode.
    inst_hook cmdline 95 "$moddir/powernode-parse-root.sh"
    # root=powernode: the unioned root at $NEWROOT.
    inst_hook mount 05 "$moddir/powernode-mount.sh"
    # Deferred claim when the only identity source may be <root>/etc/powernode/local-id.
    inst_hook pre-pivot 05 "$moddir/powernode-pre-pivot.sh"
}
