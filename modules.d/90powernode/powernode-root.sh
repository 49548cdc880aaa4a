#!/bin/sh
# shellcheck shell=sh
# CMDARG and CMDARGS are set by cmdarg()/cmdargs() in lib.sh.
# shellcheck disable=SC2153
# powernode-root: the unioned root for root=powernode (/usr/lib/powernode/root.sh),
# sourced by powernode-init after lib.sh. Mounts, in this order:
#
#   seed    the per-instance seed bundle, a 9p share (tag powernode.seed=TAG, default
#           powernode-seed; optional unless the tag is named), read-only at
#           /run/powernode/seed, which switch_root carries into the real root.
#   image   (with powernode.image=HEX) the verified lower: an EROFS image whose regular
#           files are overlayfs metacopy stubs that redirect to content-addressed
#           objects and carry their fs-verity digests. Both live on the object store,
#           an ext4 file system with the verity feature (powernode.store=DEVICE):
#             <store>/images/<HEX>.erofs      HEX = fs-verity sha256 digest of the image
#             <store>/objects/<xx>/<rest>     name = fs-verity sha256 digest (xx = first 2 hex)
#           fs-verity is enabled on files that lack it (the digest then covers what is
#           there, so a changed file still fails), the image digest must equal HEX, every
#           object's digest must equal its name, and overlayfs mounts with verity=require,
#           so the kernel checks each object against the image on every open.
#   layers  per-module layers from the seed bundle, stacked above the image by
#           effective_priority (larger = higher = wins); format in docs/notes/powernode-module.md.
#   live    (with powernode.live=SOURCE) a squashfs/EROFS image of the whole root from
#           a medium or over HTTP, below the layers (live.sh).
#   upper   a tmpfs (the node's root is ephemeral).
# then mounts powernode.share=[9p:|virtiofs:]TAG:/PATH host shares into the union, and
# installs the agent launcher (PID 1 after switch_root: starts the agent, then execs
# the real init, powernode.init=PATH, default /sbin/init).
# Anything inconsistent or unverifiable refuses the boot (POWERNODE-ROOT-REFUSED ...).

PN_SEED=$PN_RUN/seed
PN_STORE=$PN_RUN/store
PN_IMAGE=$PN_RUN/image
PN_RW=$PN_RUN/rw
PN_LAUNCH=/usr/lib/powernode/launch
PN_SEED_FORMAT=1
PN_9P_OPTS=trans=virtio,version=9p2000.L,msize=262144

# mount_seed: sets PN_HAVE_SEED=1 when the seed share is mounted.
mount_seed() {
    PN_HAVE_SEED=0
    pn_tag=powernode-seed
    pn_required=0
    if cmdarg powernode.seed; then
        pn_tag=$CMDARG
        pn_required=1
    fi
    case $pn_tag in none | off | 0) return 0 ;; esac
    load_modules 9pnet_virtio 9p
    mkdir -p "$PN_SEED"
    if mount -t 9p -o "ro,$PN_9P_OPTS" "$pn_tag" "$PN_SEED" 2> /dev/null; then
        PN_HAVE_SEED=1
        kmsg 6 "seed bundle: 9p tag $pn_tag at $PN_SEED"
    elif [ "$pn_required" = 1 ]; then
        refuse "seed: cannot mount 9p tag $pn_tag"
    fi
}

# seed_layers: sets PN_LAYERS to the layer directories, highest effective_priority
# first, ':'-joined (an overlayfs lowerdir prefix), and PN_LAYER_NAMES (','-joined).
# Refuses on any malformed entry.
seed_layers() {
    PN_LAYERS=
    PN_LAYER_NAMES=
    [ "$PN_HAVE_SEED" = 1 ] || return 0
    pn_conf=$PN_SEED/seed.conf
    [ -f "$pn_conf" ] || refuse "seed: no seed.conf in the seed bundle"
    pn_format=
    pn_list=
    pn_n=0
    while IFS= read -r pn_line || [ -n "$pn_line" ]; do
        pn_line=${pn_line%"$CR"}
        case $pn_line in '' | '#'*) continue ;; esac
        pn_n=$((pn_n + 1))
        pn_key=${pn_line%%=*}
        pn_val=${pn_line#*=}
        [ "$pn_key" != "$pn_line" ] || refuse "seed.conf line $pn_n: expected key=value"
        case $pn_key in
            format) pn_format=$pn_val ;;
            layer) pn_list=$(seed_insert "$pn_list" "$pn_val" "$pn_n") || exit 1 ;;
            *) kmsg 4 "seed.conf line $pn_n: ignoring unknown key $pn_key" ;;
        esac
    done < "$pn_conf"
    [ "$pn_format" = "$PN_SEED_FORMAT" ] || refuse "seed.conf: format=$pn_format, expected format=$PN_SEED_FORMAT"
    for pn_entry in $pn_list; do
        pn_name=${pn_entry#*:}
        PN_LAYERS="$PN_LAYERS${PN_LAYERS:+:}$PN_SEED/layers/$pn_name"
        PN_LAYER_NAMES="$PN_LAYER_NAMES${PN_LAYER_NAMES:+,}$pn_name"
    done
}

# seed_insert LIST "NAME:PRIORITY" LINENO: prints LIST (words PRIORITY:NAME, highest
# priority first) with the entry inserted; a tie, a bad name or priority, or a missing
# layer directory refuses (the order must never depend on anything but the seed).
seed_insert() {
    pn_name=${2%:*}
    pn_prio=${2##*:}
    case $pn_name in
        '' | .* | *[!A-Za-z0-9._-]*) refuse "seed.conf line $3: bad layer name '$pn_name'" ;;
    esac
    case $pn_prio in
        '' | *[!0-9]*) refuse "seed.conf line $3: layer $pn_name: effective_priority must be a decimal integer" ;;
    esac
    [ "${#pn_prio}" -le 9 ] || refuse "seed.conf line $3: layer $pn_name: effective_priority too large"
    [ -d "$PN_SEED/layers/$pn_name" ] || refuse "seed: layer $pn_name: no directory layers/$pn_name"
    pn_out=
    pn_done=0
    for pn_e in $1; do
        pn_p=${pn_e%%:*}
        [ "$((pn_p))" -ne "$((pn_prio))" ] || refuse "seed.conf line $3: layer $pn_name has the same effective_priority as ${pn_e#*:}"
        if [ "$pn_done" = 0 ] && [ "$((pn_prio))" -gt "$((pn_p))" ]; then
            pn_out="$pn_out $pn_prio:$pn_name"
            pn_done=1
        fi
        pn_out="$pn_out $pn_e"
    done
    [ "$pn_done" = 1 ] || pn_out="$pn_out $pn_prio:$pn_name"
    printf '%s\n' "$pn_out"
}

# ensure_verity FILE: enables fs-verity on FILE unless it is enabled already.
ensure_verity() {
    fsverity measure "$1" > /dev/null 2>&1 && return 0
    fsverity enable --hash-alg=sha256 --block-size=4096 "$1" > /dev/null 2>&1
}

# check_objects DIR: every object's fs-verity digest equals its name.
check_objects() {
    set -- "$1"/??/*
    [ -e "$1" ] || return 0
    if ! fsverity measure "$@" > "$PN_RUN/objects.measure" 2> /dev/null; then
        for pn_f in "$@"; do
            ensure_verity "$pn_f" || refuse "verity: cannot enable fs-verity on object ${pn_f#"$PN_STORE/"}"
        done
        fsverity measure "$@" > "$PN_RUN/objects.measure" 2> /dev/null || refuse "verity: cannot measure the objects"
    fi
    pn_count=0
    while read -r pn_digest pn_path; do
        pn_rel=${pn_path#"$PN_STORE/objects/"}
        [ "sha256:${pn_rel%%/*}${pn_rel#*/}" = "$pn_digest" ] \
            || refuse "verity: object $pn_rel has fs-verity digest ${pn_digest#sha256:}: content does not match its name"
        pn_count=$((pn_count + 1))
    done < "$PN_RUN/objects.measure"
    kmsg 6 "verity: $pn_count objects match their digests"
}

# mount_image HEX: the verified lower at $PN_IMAGE (refuses on any failure).
mount_image() {
    case $1 in
        *[!0-9a-f]*) refuse "powernode.image=$1: expected 64 lower-case hex digits" ;;
    esac
    [ "${#1}" -eq 64 ] || refuse "powernode.image=$1: expected 64 lower-case hex digits"
    command -v fsverity > /dev/null 2>&1 || refuse "verity: no fsverity tool in the initrd"
    pn_dev=
    if cmdarg powernode.store; then pn_dev=$CMDARG; fi
    [ -n "$pn_dev" ] || refuse "powernode.image needs powernode.store=DEVICE"
    pn_i=0
    while [ ! -b "$pn_dev" ] && [ "$pn_i" -lt 50 ]; do
        sleep 0.2
        pn_i=$((pn_i + 1))
    done
    [ -b "$pn_dev" ] || refuse "store: $pn_dev is not a block device"
    load_modules ext4 erofs overlay loop
    mkdir -p "$PN_STORE" "$PN_IMAGE"
    # Read-write only so fs-verity can be enabled; nothing else writes to it.
    mount -t ext4 -o rw,nodev,nosuid,noexec "$pn_dev" "$PN_STORE" || refuse "store: cannot mount $pn_dev (ext4)"
    pn_img=$PN_STORE/images/$1.erofs
    [ -f "$pn_img" ] || refuse "image: no images/$1.erofs in the store"
    ensure_verity "$pn_img" || refuse "verity: cannot enable fs-verity on the image (no fs-verity support?)"
    pn_m=$(fsverity measure "$pn_img") || refuse "verity: cannot measure the image"
    [ "${pn_m%% *}" = "sha256:$1" ] || refuse "verity: image digest ${pn_m%% *} is not the expected sha256:$1"
    check_objects "$PN_STORE/objects"
    mount -t erofs -o ro "$pn_img" "$PN_IMAGE" || refuse "image: cannot mount the EROFS image"
    kmsg 6 "verified image sha256:$1 at $PN_IMAGE"
}

# mount_shares: powernode.share=[9p:|virtiofs:]TAG:/PATH into the union.
mount_shares() {
    CMDARGS=
    cmdargs powernode.share
    for pn_s in $CMDARGS; do
        pn_type=9p
        case $pn_s in
            9p:* | virtiofs:*)
                pn_type=${pn_s%%:*}
                pn_s=${pn_s#*:}
                ;;
        esac
        pn_tag=${pn_s%%:*}
        pn_path=${pn_s#*:}
        case $pn_path in /*) ;; *) refuse "powernode.share=$pn_s: expected TAG:/PATH" ;; esac
        mkdir -p "$PN_NEWROOT$pn_path"
        if [ "$pn_type" = 9p ]; then
            load_modules 9pnet_virtio 9p
            mount -t 9p -o "$PN_9P_OPTS" "$pn_tag" "$PN_NEWROOT$pn_path" || refuse "share: cannot mount 9p tag $pn_tag"
        else
            load_modules virtiofs
            mount -t virtiofs "$pn_tag" "$PN_NEWROOT$pn_path" || refuse "share: cannot mount virtiofs tag $pn_tag"
        fi
        kmsg 6 "share $pn_type:$pn_tag at $pn_path"
    done
}

# install_launcher: PID 1 of the real root starts the agent, then execs the real init
# (launch.sh, copied into the union's tmpfs layer; it reads /run/powernode/launch.env).
install_launcher() {
    pn_agent=$PN_DEFAULT_AGENT
    if cmdarg powernode.agent; then pn_agent=$CMDARG; fi
    pn_init=/sbin/init
    if cmdarg powernode.init; then pn_init=$CMDARG; fi
    printf 'agent=%s\ninit=%s\n' "$pn_agent" "$pn_init" > "$PN_RUN/launch.env"
    mkdir -p "$PN_NEWROOT${PN_LAUNCH%/*}"
    cp "$PN_LIB/launch.sh" "$PN_NEWROOT$PN_LAUNCH"
    chmod 0755 "$PN_NEWROOT$PN_LAUNCH"
    # dracut's /init takes init= from /etc/cmdline.d too (the kernel's own init= wins).
    mkdir -p /etc/cmdline.d
    printf 'init=%s\n' "$PN_LAUNCH" > /etc/cmdline.d/95-powernode-launch.conf
}

# root_phase: everything above, at $NEWROOT (dracut's mount hook, root=powernode).
root_phase() {
    if grep_mounted "$PN_NEWROOT"; then return 0; fi
    mount_seed
    seed_layers
    pn_lower=$PN_LAYERS
    pn_opts=
    pn_image=none
    if cmdarg powernode.live; then
        pn_source=$CMDARG
        # (cmdarg resets CMDARG: read the source first)
        if cmdarg powernode.image; then refuse "powernode.live= and powernode.image= exclude each other"; fi
        # shellcheck source=powernode-live.sh
        . "$PN_LIB/live.sh"
        mount_live "$pn_source"
        pn_lower="$pn_lower${pn_lower:+:}$PN_LIVE"
    fi
    if cmdarg powernode.image; then
        pn_image=$CMDARG
        mount_image "$pn_image"
        pn_lower="$pn_lower${pn_lower:+:}$PN_IMAGE::$PN_STORE/objects"
        pn_opts=,metacopy=on,redirect_dir=on,verity=require
    fi
    [ -n "$pn_lower" ] || refuse "root=powernode: neither powernode.image=, powernode.live= nor seed layers"
    load_modules overlay
    mkdir -p "$PN_RW"
    mount -t tmpfs -o mode=0755 powernode-rw "$PN_RW" || refuse "cannot mount the tmpfs upper layer"
    mkdir -p "$PN_RW/upper" "$PN_RW/work" "$PN_NEWROOT"
    mount -t overlay -o "lowerdir=$pn_lower,upperdir=$PN_RW/upper,workdir=$PN_RW/work$pn_opts" powernode "$PN_NEWROOT" \
        || refuse "overlay: mount failed (lowerdir=$pn_lower$pn_opts)"
    mount_shares
    install_launcher
    say "POWERNODE-ROOT-OK layers=${PN_LAYER_NAMES:-none} image=$pn_image"
}

# grep_mounted DIR: DIR is a mount point (from /proc/mounts; no grep in the initrd).
grep_mounted() {
    while read -r _ pn_mp _; do
        [ "$pn_mp" = "$1" ] && return 0
    done < /proc/mounts
    return 1
}
