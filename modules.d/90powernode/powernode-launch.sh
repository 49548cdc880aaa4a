#!/bin/sh
# shellcheck shell=sh
# powernode launcher: PID 1 of the real root right after switch_root (root=powernode).
# Copied by 90powernode into the union's tmpfs layer as /usr/lib/powernode/launch and
# made dracut's init=. Starts the agent in the background with the node identity
# (POWERNODE_IDENTITY, POWERNODE_IDENTITY_SOURCE, POWERNODE_IDENTITY_FILE,
# POWERNODE_PHASE=root), then execs the real init with the kernel's arguments.
# Settings come from /run/powernode/launch.env (agent=PATH, init=PATH), which the
# initramfs wrote. Shell builtins only: the real root may have nothing else.
set -u
agent=/usr/lib/powernode/agent
init=/sbin/init
if [ -r /run/powernode/launch.env ]; then
    while IFS='=' read -r key val; do
        case $key in
            agent) agent=$val ;;
            init) init=$val ;;
        esac
    done < /run/powernode/launch.env
fi
id=
src=
IFS= read -r id < /run/powernode/identity || :
IFS= read -r src < /run/powernode/identity-source || :
if [ "$agent" != none ] && [ -f "$agent" ] && [ -x "$agent" ]; then
    POWERNODE_IDENTITY=$id POWERNODE_IDENTITY_SOURCE=$src \
        POWERNODE_IDENTITY_FILE=/run/powernode/identity POWERNODE_PHASE=root \
        "$agent" < /dev/null > /dev/console 2>&1 &
fi
exec "$init" "$@"
