#!/bin/sh
# shellcheck shell=sh
# dracut hook (pre-pivot, 05): sourced by dracut's hook runner, so it stays
# minimal and does not change shell options; the strict-mode worker runs as a child.
# NEWROOT (/sysroot) is exported by dracut.
if ! /usr/sbin/powernode-init pre-pivot; then
    warn "powernode: identity claim failed in the pre-pivot hook"
fi
