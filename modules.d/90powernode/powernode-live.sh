#!/bin/sh
# shellcheck shell=sh
# powernode-live: the live root image (/usr/lib/powernode/live.sh), sourced by root.sh.
# With root=powernode powernode.live=SOURCE the lowest layer of the union is a read-only
# squashfs or EROFS image of the whole root filesystem (the ISO and iPXE cells):
#
#   powernode.live=LABEL=NAME|UUID=ID|/dev/NODE
#           a filesystem (the ISO 9660 of a CD or of a hybrid ISO written to a disk)
#           holding live/rootfs.squashfs or live/rootfs.erofs; waited for up to 30 s,
#           mounted read-only at /run/powernode/live-media. A filesystem that is itself
#           the root (an EROFS or squashfs root partition: raw with root_fs: erofs; it
#           has usr/lib/os-release) is used as the lowest layer directly.
#   powernode.live=http://HOST[:PORT]/PATH
#           the image itself, fetched by busybox wget into /run/powernode/live-image
#           (RAM: the VM needs the image size on top of the initrd) over the first
#           NIC, configured by udhcpc for the download only.
#
# The image is loop-mounted (file system type detected by mount) at /run/powernode/live;
# a root partition is moved there.
# What it does not do: no integrity check of the image (use powernode.image= for a
# verified root), no persistence (the upper layer is a tmpfs), no HTTPS, no copy-to-RAM
# of a device-backed image (the medium must stay attached).

PN_LIVE=$PN_RUN/live
PN_LIVE_MEDIA=$PN_RUN/live-media
PN_LIVE_IMAGE=$PN_RUN/live-image

# live_find_device SOURCE: sets PN_LIVE_DEV to the device of LABEL=/UUID=/a node.
live_find_device() {
    PN_LIVE_DEV=
    load_modules sr_mod cdrom isofs
    pn_i=0
    while [ "$pn_i" -lt 150 ]; do
        case $1 in
            LABEL=*) PN_LIVE_DEV=$(blkid -L "${1#LABEL=}" 2> /dev/null) || PN_LIVE_DEV= ;;
            UUID=*) PN_LIVE_DEV=$(blkid -U "${1#UUID=}" 2> /dev/null) || PN_LIVE_DEV= ;;
            /dev/*) [ ! -b "$1" ] || PN_LIVE_DEV=$1 ;;
            *) refuse "powernode.live=$1: expected LABEL=NAME, UUID=ID, /dev/NODE or http://URL" ;;
        esac
        [ -z "$PN_LIVE_DEV" ] || return 0
        sleep 0.2
        pn_i=$((pn_i + 1))
    done
    refuse "live: no device $1 within 30 s"
}

# live_from_device SOURCE: sets PN_LIVE_FILE to the image on the mounted medium, or
# to nothing when the medium is the root itself.
live_from_device() {
    live_find_device "$1"
    load_modules squashfs erofs
    mkdir -p "$PN_LIVE_MEDIA"
    mount -o ro "$PN_LIVE_DEV" "$PN_LIVE_MEDIA" || refuse "live: cannot mount $PN_LIVE_DEV"
    for pn_name in live/rootfs.squashfs live/rootfs.erofs; do
        PN_LIVE_FILE=$PN_LIVE_MEDIA/$pn_name
        [ ! -f "$PN_LIVE_FILE" ] || return 0
    done
    PN_LIVE_FILE=
    [ ! -e "$PN_LIVE_MEDIA/usr/lib/os-release" ] || return 0
    refuse "live: $PN_LIVE_DEV holds neither live/rootfs.squashfs, live/rootfs.erofs nor a root filesystem"
}

# live_from_http URL: downloads the image; sets PN_LIVE_FILE.
live_from_http() {
    [ -x "$PN_BB" ] || refuse "live: no busybox in the initrd for $1"
    load_modules virtio_net
    first_netdev || refuse "live: no network interface for $1"
    "$PN_BB" ip link set "$PN_IFACE" up 2> /dev/null || :
    "$PN_BB" timeout 20 "$PN_BB" udhcpc -i "$PN_IFACE" -f -q -n -t 10 -T 1 -A 1 \
        -s "$PN_LIB/udhcpc.sh" > /dev/null 2>&1 || refuse "live: no DHCP lease on $PN_IFACE"
    mkdir -p "$PN_RUN"
    PN_LIVE_FILE=$PN_LIVE_IMAGE
    pn_rc=0
    "$PN_BB" wget -q -T 30 -O "$PN_LIVE_FILE" "$1" 2> /dev/null || pn_rc=$?
    "$PN_BB" ip -4 route flush dev "$PN_IFACE" 2> /dev/null || :
    "$PN_BB" ip -4 addr flush dev "$PN_IFACE" 2> /dev/null || :
    "$PN_BB" ip link set "$PN_IFACE" down 2> /dev/null || :
    [ "$pn_rc" = 0 ] || refuse "live: download of $1 failed (wget exit $pn_rc)"
}

# mount_live SOURCE: the live root image at $PN_LIVE (refuses on any failure).
mount_live() {
    case $1 in
        http://*) live_from_http "$1" ;;
        *) live_from_device "$1" ;;
    esac
    load_modules loop squashfs erofs
    mkdir -p "$PN_LIVE"
    if [ -z "$PN_LIVE_FILE" ]; then
        mount --move "$PN_LIVE_MEDIA" "$PN_LIVE" || refuse "live: cannot move the root $PN_LIVE_DEV to $PN_LIVE"
    else
        mount -o ro,loop "$PN_LIVE_FILE" "$PN_LIVE" || refuse "live: cannot mount the image ${PN_LIVE_FILE#"$PN_RUN/"}"
    fi
    say "POWERNODE-LIVE-OK source=$1"
}
