#!/bin/sh
# shellcheck shell=sh
# udhcpc event script for the IMDS lookup (/usr/lib/powernode/udhcpc.sh).
# busybox udhcpc runs it with the event as $1 and the lease in the environment
# (interface, ip, mask/subnet, router). Only what an HTTP GET to the metadata
# service needs: the address and a default route. powernode-init removes both
# again after the lookup, so the real root starts with an unconfigured interface.
set -eu

BB=/usr/lib/powernode/busybox
iface=${interface:?}

case ${1:-} in
    deconfig)
        "$BB" ip -4 addr flush dev "$iface" || :
        "$BB" ip link set "$iface" up
        ;;
    bound | renew)
        "$BB" ip -4 addr flush dev "$iface" || :
        if [ -n "${mask:-}" ]; then
            "$BB" ip addr add "${ip:?}/$mask" dev "$iface"
        else
            "$BB" ifconfig "$iface" "${ip:?}" netmask "${subnet:?}"
        fi
        for r in ${router:-}; do
            "$BB" ip route add default via "$r" dev "$iface"
            break
        done
        ;;
    *) ;;
esac
exit 0
