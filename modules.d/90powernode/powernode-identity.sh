#!/bin/sh
# shellcheck shell=sh
# powernode-identity: the node identity claim (/usr/lib/powernode/identity.sh),
# sourced by powernode-init after lib.sh. First success wins:
#   1. cloud metadata (IMDS): HTTP GET of powernode.imds=URL
#      (default http://169.254.169.254/latest/meta-data/instance-id; "none" disables),
#      over the first non-loopback interface, configured by busybox udhcpc for
#      the lookup only. Skipped at once when there is no network interface.
#   2. QEMU fw-cfg entry opt/powernode/identity
#   3. /etc/powernode/local-id inside the initrd
#   4. <root>/etc/powernode/local-id (pre-pivot; only when root= is given)
#   5. a generated UUID
# An identity is the first line of its source, blanks/CR stripped,
# [A-Za-z0-9._:@-]{1,128}; anything else is ignored and the next source is tried.

PN_FWCFG_DIR=/sys/firmware/qemu_fw_cfg
PN_FWCFG=$PN_FWCFG_DIR/by_name/opt/powernode/identity/raw
PN_LOCAL_ID=/etc/powernode/local-id
PN_DEFAULT_IMDS=http://169.254.169.254/latest/meta-data/instance-id
PN_DEFAULT_AGENT=/usr/lib/powernode/agent
PN_MAX_ID_LEN=128

# read_id FILE LABEL: returns 0 and sets PN_ID to the first line of FILE (blanks
# and CR stripped) if it is a valid identity; returns 1 otherwise.
read_id() {
    PN_ID=
    [ -f "$1" ] && [ -r "$1" ] || return 1
    # A last line without newline makes `read` fail but still sets PN_ID.
    IFS=' 	' read -r PN_ID < "$1" || :
    PN_ID=${PN_ID%"$CR"}
    case $PN_ID in
        '')
            kmsg 4 "ignoring $2 ($1): empty"
            return 1
            ;;
        *[!A-Za-z0-9._:@-]*)
            kmsg 4 "ignoring $2 ($1): characters outside [A-Za-z0-9._:@-]"
            PN_ID=
            return 1
            ;;
    esac
    if [ "${#PN_ID}" -gt "$PN_MAX_ID_LEN" ]; then
        kmsg 4 "ignoring $2 ($1): longer than $PN_MAX_ID_LEN characters"
        PN_ID=
        return 1
    fi
    return 0
}

# qemu_fw_cfg is a module in Debian's kernel; on QEMU its platform device (ACPI
# QEMU0002 / DT "qemu,fw-cfg-mmio") binds synchronously when the module loads.
load_fw_cfg() {
    [ -d "$PN_FWCFG_DIR" ] || load_modules qemu_fw_cfg
    [ -d "$PN_FWCFG_DIR" ]
}

# first_netdev: sets PN_IFACE to the first non-loopback interface; returns 1 if none.
first_netdev() {
    PN_IFACE=
    for pn_dev in /sys/class/net/*; do
        [ -e "$pn_dev" ] || continue
        case ${pn_dev##*/} in lo) continue ;; esac
        PN_IFACE=${pn_dev##*/}
        return 0
    done
    return 1
}

# imds_fetch: returns 0 and sets PN_ID from the metadata service; 1 if there is
# none (no URL, no interface, no lease, no answer, invalid answer). Bounded by
# short timeouts: about 4 s without a DHCP server, 3 s without an answer.
imds_fetch() {
    pn_url=$PN_DEFAULT_IMDS
    if cmdarg powernode.imds; then pn_url=$CMDARG; fi
    case $pn_url in
        '' | 0 | no | off | none) return 1 ;;
        http://*) ;;
        *)
            kmsg 4 "ignoring powernode.imds=$pn_url: only http:// URLs are supported"
            return 1
            ;;
    esac
    if [ ! -x "$PN_BB" ]; then
        kmsg 4 "no $PN_BB in the initrd: IMDS skipped"
        return 1
    fi
    # Virtual NICs whose driver udev has not loaded yet at this early point.
    load_modules virtio_net
    if ! first_netdev; then
        kmsg 6 "IMDS: no network interface"
        return 1
    fi
    pn_rc=1
    "$PN_BB" ip link set "$PN_IFACE" up 2> /dev/null || :
    if "$PN_BB" timeout 6 "$PN_BB" udhcpc -i "$PN_IFACE" -f -q -n -t 3 -T 1 -A 1 \
        -s "$PN_LIB/udhcpc.sh" > /dev/null 2>&1; then
        mkdir -p "$PN_RUN"
        if "$PN_BB" timeout 4 "$PN_BB" wget -q -T 3 -O "$PN_RUN/imds-answer" "$pn_url" 2> /dev/null \
            && read_id "$PN_RUN/imds-answer" imds; then
            pn_rc=0
        else
            kmsg 6 "IMDS: no valid answer from $pn_url"
        fi
        rm -f "$PN_RUN/imds-answer"
    else
        kmsg 6 "IMDS: no DHCP lease on $PN_IFACE"
    fi
    # Leave the interface as we found it: the real root configures its network itself.
    "$PN_BB" ip -4 route flush dev "$PN_IFACE" 2> /dev/null || :
    "$PN_BB" ip -4 addr flush dev "$PN_IFACE" 2> /dev/null || :
    "$PN_BB" ip link set "$PN_IFACE" down 2> /dev/null || :
    return "$pn_rc"
}

# handover ID SOURCE: run the agent hook in the initrd, if there is one there.
handover() {
    pn_agent=$PN_DEFAULT_AGENT
    if cmdarg powernode.agent; then pn_agent=$CMDARG; fi
    case $pn_agent in
        '' | none) return 0 ;;
        /*) ;;
        *)
            kmsg 4 "ignoring powernode.agent=$pn_agent: not an absolute path"
            return 0
            ;;
    esac
    if [ ! -f "$pn_agent" ] || [ ! -x "$pn_agent" ]; then
        kmsg 6 "no agent hook at $pn_agent in the initrd"
        return 0
    fi
    pn_out=/dev/null
    if [ -w /dev/console ]; then pn_out=/dev/console; fi
    kmsg 6 "handing over to $pn_agent"
    pn_rc=0
    POWERNODE_IDENTITY=$1 \
        POWERNODE_IDENTITY_SOURCE=$2 \
        POWERNODE_IDENTITY_FILE=$PN_RUN/identity \
        POWERNODE_PHASE=$PN_PHASE \
        "$pn_agent" < /dev/null >> "$pn_out" 2>&1 || pn_rc=$?
    kmsg 6 "agent hook $pn_agent exited with $pn_rc"
}

# rd.powernode.stop: power off (or reboot) right after the hand-over.
maybe_stop() {
    cmdarg rd.powernode.stop || return 0
    case $CMDARG in
        0 | no | false) return 0 ;;
        reboot) pn_key=b ;;
        1 | yes | true | poweroff) pn_key=o ;;
        *)
            kmsg 4 "unknown rd.powernode.stop=$CMDARG, powering off"
            pn_key=o
            ;;
    esac
    kmsg 5 "rd.powernode.stop: stopping the machine (sysrq $pn_key)"
    printf '%s' "$pn_key" > /proc/sysrq-trigger
    # Power-off is asynchronous; if it has not happened after 5 s, reboot.
    sleep 5
    printf 'b' > /proc/sysrq-trigger
    while :; do
        sleep 1
    done
}

# claim ID SOURCE: record the identity (/run survives switch_root), announce it.
claim() {
    mkdir -p "$PN_RUN"
    printf '%s\n' "$1" > "$PN_RUN/identity.new"
    mv -f "$PN_RUN/identity.new" "$PN_RUN/identity"
    printf '%s\n' "$2" > "$PN_RUN/identity-source"
    if [ -e "$PN_RUN/deferred" ]; then
        mv -f "$PN_RUN/deferred" "$PN_RUN/deferred.done"
    fi
    say "POWERNODE-INIT-OK id=$1"
    kmsg 6 "identity source: $2"
    handover "$1" "$2"
    maybe_stop
}

# identity_phase: the claim, in the cmdline phase (or deferred to pre-pivot).
identity_phase() {
    # Claimed already (the hooks may run more than once): nothing to do.
    if [ -s "$PN_RUN/identity" ]; then
        return 0
    fi
    if [ "$PN_PHASE" = cmdline ] && imds_fetch; then
        claim "$PN_ID" imds
    elif load_fw_cfg && read_id "$PN_FWCFG" fw-cfg; then
        claim "$PN_ID" fw-cfg
    elif read_id "$PN_LOCAL_ID" initrd-local-id; then
        claim "$PN_ID" initrd-local-id
    elif [ "$PN_PHASE" = pre-pivot ] && read_id "$PN_NEWROOT$PN_LOCAL_ID" root-local-id; then
        claim "$PN_ID" root-local-id
    elif [ "$PN_PHASE" = cmdline ] && cmdarg root && [ -n "$CMDARG" ]; then
        # A root will be mounted and may carry /etc/powernode/local-id: decide in pre-pivot.
        mkdir -p "$PN_RUN"
        : > "$PN_RUN/deferred"
        kmsg 6 "no IMDS, fw-cfg or initrd identity; deferring the claim to pre-pivot (root=$CMDARG)"
    else
        PN_ID=
        IFS= read -r PN_ID < /proc/sys/kernel/random/uuid || :
        if [ -z "$PN_ID" ]; then
            kmsg 3 "cannot read /proc/sys/kernel/random/uuid"
            return 1
        fi
        claim "$PN_ID" generated-uuid
    fi
    return 0
}
