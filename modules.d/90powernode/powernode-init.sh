#!/bin/sh
# powernode-init: initramfs stage of a Powernode node (dracut module 90powernode).
# Installed as /usr/sbin/powernode-init; started by the module's dracut hooks:
#
#   powernode-init cmdline     claim the node identity (identity.sh: IMDS, fw-cfg,
#                              local-id, generated), print
#                                POWERNODE-INIT-OK id=<identity>
#                              on the console, write /run/powernode/identity and
#                              identity-source (carried into the real root), run an
#                              agent hook found in the initrd, honour rd.powernode.stop.
#   powernode-init mount       root=powernode: mount the unioned root at $NEWROOT
#                              (root.sh: seed share, verified image, layers by
#                              effective_priority, tmpfs upper, host shares, agent
#                              launcher), or refuse the boot.
#   powernode-init pre-pivot   the deferred identity claim (<root>/etc/powernode/local-id).
#
# Kernel command line (also read from /etc/cmdline.d/*.conf; unquoted values only):
#   powernode.imds=URL|none     metadata URL (default http://169.254.169.254/latest/meta-data/instance-id)
#   powernode.agent=PATH|none   agent (default /usr/lib/powernode/agent): run in the initrd if
#                               it is there, and launched in the real root after switch_root
#   powernode.init=PATH         real init the launcher execs (default /sbin/init)
#   root=powernode              mount the unioned root (see root.sh for the rest:
#                               powernode.seed=TAG, powernode.image=HEX, powernode.store=DEV,
#                               powernode.share=[9p:|virtiofs:]TAG:/PATH)
#   rd.powernode.stop[=1|poweroff|reboot]
#                               power off (or reboot) right after the claim: smoke boots.
#
# POSIX sh, strict mode: runs under bash, dash or busybox sh. Uses shell builtins plus
# mkdir mv rm cp chmod modprobe mount sleep, fsverity (verified image) and the private
# busybox (IMDS: ip udhcpc wget timeout). No grep/sed/cat in the initrd.
set -eu

LC_ALL=C
export LC_ALL
umask 022
IFS=' 	
'

PN_LIBDIR=${POWERNODE_LIBDIR:-/usr/lib/powernode}
# shellcheck source=powernode-lib.sh
. "$PN_LIBDIR/lib.sh"
# shellcheck source=powernode-identity.sh
. "$PN_LIBDIR/identity.sh"

PN_PHASE=${1:-}
case $PN_PHASE in
    cmdline | pre-pivot)
        identity_phase
        ;;
    mount)
        # shellcheck source=powernode-root.sh
        . "$PN_LIBDIR/root.sh"
        root_phase
        ;;
    *)
        printf 'usage: %s cmdline|mount|pre-pivot\n' "$0" >&2
        exit 2
        ;;
esac
exit 0
