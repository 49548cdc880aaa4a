#!/bin/sh
# shellcheck shell=sh
# dracut hook (cmdline, 95): sourced by dracut's hook runner after its parse-root-opts
# (cmdline 20) has set $root. root=powernode is ours: the mount hook builds it.
# shellcheck disable=SC2154
if [ "$root" = powernode ]; then
    # shellcheck disable=SC2034
    rootok=1
fi
