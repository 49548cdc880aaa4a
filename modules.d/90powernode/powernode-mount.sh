#!/bin/sh
# shellcheck shell=sh
# dracut hook (mount, 05): sourced by dracut's /init, possibly several times, so it
# stays minimal; the strict-mode worker runs as a child and either mounts the unioned
# root at $NEWROOT or prints POWERNODE-ROOT-REFUSED <reason>, and then the boot stops.
# shellcheck disable=SC2154
if [ "$root" = powernode ] && ! /usr/sbin/powernode-init mount; then
    die "powernode: the root was refused (see POWERNODE-ROOT-REFUSED above)"
fi
