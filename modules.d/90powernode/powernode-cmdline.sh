#!/bin/sh
# shellcheck shell=sh
# dracut hook (cmdline, 05): sourced by dracut's hook runner, so it stays minimal
# and does not change shell options; the strict-mode worker runs as a child.
if ! /usr/sbin/powernode-init cmdline; then
    warn "powernode: identity claim failed in the cmdline hook"
fi
