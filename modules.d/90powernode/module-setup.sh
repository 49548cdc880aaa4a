#!/bin/bash
# 90powernode: Powernode initramfs stage (node identity claim + agent handover).
#
# This file is sourced by dracut (bash) at build time. Do NOT `set -eu` here: it
# would leak into dracut itself. The same holds for the hook stubs, which dracut
# sources into its hook runner; all runtime logic lives in powernode-init.sh, which
# runs as its own process in strict mode.
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

# QEMU fw-cfg sysfs driver: the identity transport on QEMU/libvirt.
installkernel() {
    hostonly='' instmods qemu_fw_cfg
}

install() {
    # Everything powernode-init.sh runs besides shell builtins.
    inst_multiple mkdir mv modprobe sleep

    inst_script "$moddir/powernode-init.sh" /usr/sbin/powernode-init

    # cmdline hooks run first, in both the systemd (dracut-cmdline.service) and
    # the shell (/init) flavour, and before dracut insists on a root= argument,
    # so the marker appears on a plain -kernel/-initrd boot without any disk.
    inst_hook cmdline 05 "$moddir/powernode-cmdline.sh"

    # Deferred claim when the only identity source may be <root>/etc/powernode/local-id.
    inst_hook pre-pivot 05 "$moddir/powernode-pre-pivot.sh"
}
