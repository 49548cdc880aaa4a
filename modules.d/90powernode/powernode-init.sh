#!/bin/sh
# powernode-init: initramfs stage of a Powernode node (dracut module 90powernode).
# Installed as /usr/sbin/powernode-init; started by the cmdline and pre-pivot hooks.
#
# Usage: powernode-init cmdline|pre-pivot
#
# Claims the node identity, first success wins:
#   1. QEMU fw-cfg entry opt/powernode/identity
#      (qemu ... -fw_cfg name=opt/powernode/identity,string=<id>)
#   2. /etc/powernode/local-id inside the initrd (e.g. dracut --include FILE /etc/powernode/local-id)
#   3. <root>/etc/powernode/local-id, read in pre-pivot once the root is mounted
#      (only considered when root= is given; the claim is then deferred to pre-pivot)
#   4. a generated UUID (/proc/sys/kernel/random/uuid)
# writes it to /run/powernode/identity (and its source to identity-source; /run is
# carried over into the real root by switch_root), prints exactly
#   POWERNODE-INIT-OK id=<identity>
# on /dev/console (also logged to the kernel log with a "powernode: " prefix), then
# hands over to the agent hook, if executable.
#
# Kernel command line (also read from /etc/cmdline.d/*.conf in the initrd; unquoted values):
#   powernode.agent=PATH        agent hook, absolute path (default /usr/lib/powernode/agent;
#                               "none" disables). Runs in the foreground with
#                               POWERNODE_IDENTITY, POWERNODE_IDENTITY_SOURCE,
#                               POWERNODE_IDENTITY_FILE and POWERNODE_PHASE set.
#   rd.powernode.stop[=1|poweroff|reboot]
#                               after the claim and the hand-over, power off (or
#                               reboot) at once: for smoke boots (no root disk needed).
#
# POSIX sh, strict mode: runs under bash, dash or busybox sh. Uses only shell
# builtins plus mkdir, mv, modprobe and sleep (no grep/sed/cat in the initrd).
set -eu

LC_ALL=C
export LC_ALL
umask 022
IFS=' 	
'

PN_RUN=/run/powernode
PN_FWCFG_DIR=/sys/firmware/qemu_fw_cfg
PN_FWCFG=$PN_FWCFG_DIR/by_name/opt/powernode/identity/raw
PN_LOCAL_ID=/etc/powernode/local-id
PN_DEFAULT_AGENT=/usr/lib/powernode/agent
PN_NEWROOT=${NEWROOT:-/sysroot}
PN_MAX_ID_LEN=128
CR=$(printf '\r')

# kmsg LEVEL MESSAGE: kernel log (and the serial console, subject to loglevel).
kmsg() {
    if [ -w /dev/kmsg ]; then
        printf '<%s>powernode: %s\n' "$1" "$2" >> /dev/kmsg 2> /dev/null || :
    fi
}

# The console line that tests wait for.
announce() {
    if [ -w /dev/console ]; then
        printf '%s\n' "POWERNODE-INIT-OK id=$1" >> /dev/console 2> /dev/null || :
    fi
    kmsg 5 "POWERNODE-INIT-OK id=$1"
}

# Kernel command line: /etc/cmdline.d/*.conf (baked in by dracut), then
# /proc/cmdline, so the running kernel's arguments win.
PN_CMDLINE=
for pn_conf in /etc/cmdline.d/*.conf; do
    [ -f "$pn_conf" ] || continue
    while IFS= read -r pn_line || [ -n "$pn_line" ]; do
        case $pn_line in '#'*) continue ;; esac
        PN_CMDLINE="$PN_CMDLINE $pn_line"
    done < "$pn_conf"
done
if [ -r /proc/cmdline ]; then
    pn_line=
    IFS= read -r pn_line < /proc/cmdline || :
    PN_CMDLINE="$PN_CMDLINE $pn_line"
fi

# cmdarg KEY: returns 0 and sets CMDARG to the last value of KEY=VALUE (a bare
# KEY yields 1); returns 1 if KEY is absent.
cmdarg() {
    CMDARG=
    pn_found=1
    set -f
    for pn_word in $PN_CMDLINE; do
        case $pn_word in
            "$1"=*)
                CMDARG=${pn_word#"$1"=}
                pn_found=0
                ;;
            "$1")
                CMDARG=1
                pn_found=0
                ;;
        esac
    done
    set +f
    return "$pn_found"
}

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
    if [ ! -d "$PN_FWCFG_DIR" ]; then
        modprobe -q qemu_fw_cfg 2> /dev/null || kmsg 6 "modprobe qemu_fw_cfg failed"
    fi
    [ -d "$PN_FWCFG_DIR" ]
}

# handover ID SOURCE: run the agent hook, if there is one.
handover() {
    pn_agent=$PN_DEFAULT_AGENT
    if cmdarg powernode.agent; then
        pn_agent=$CMDARG
    fi
    case $pn_agent in
        '' | none)
            kmsg 6 "agent hook disabled"
            return 0
            ;;
        /*) ;;
        *)
            kmsg 4 "ignoring powernode.agent=$pn_agent: not an absolute path"
            return 0
            ;;
    esac
    if [ ! -f "$pn_agent" ] || [ ! -x "$pn_agent" ]; then
        kmsg 6 "no agent hook at $pn_agent"
        return 0
    fi
    pn_out=/dev/null
    if [ -w /dev/console ]; then
        pn_out=/dev/console
    fi
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

# claim ID SOURCE
claim() {
    mkdir -p "$PN_RUN"
    printf '%s\n' "$1" > "$PN_RUN/identity.new"
    mv -f "$PN_RUN/identity.new" "$PN_RUN/identity"
    printf '%s\n' "$2" > "$PN_RUN/identity-source"
    rm_deferred
    announce "$1"
    kmsg 6 "identity source: $2"
    handover "$1" "$2"
    maybe_stop
}

rm_deferred() {
    if [ -e "$PN_RUN/deferred" ]; then
        mv -f "$PN_RUN/deferred" "$PN_RUN/deferred.done"
    fi
}

PN_PHASE=${1:-}
case $PN_PHASE in
    cmdline | pre-pivot) ;;
    *)
        printf 'usage: %s cmdline|pre-pivot\n' "$0" >&2
        exit 2
        ;;
esac

# Claimed already (the hooks may run more than once): nothing to do.
if [ -s "$PN_RUN/identity" ]; then
    exit 0
fi

if load_fw_cfg && read_id "$PN_FWCFG" fw-cfg; then
    claim "$PN_ID" fw-cfg
elif read_id "$PN_LOCAL_ID" initrd-local-id; then
    claim "$PN_ID" initrd-local-id
elif [ "$PN_PHASE" = pre-pivot ] && read_id "$PN_NEWROOT$PN_LOCAL_ID" root-local-id; then
    claim "$PN_ID" root-local-id
elif [ "$PN_PHASE" = cmdline ] && cmdarg root && [ -n "$CMDARG" ]; then
    # A root will be mounted and may carry /etc/powernode/local-id: decide in pre-pivot.
    mkdir -p "$PN_RUN"
    : > "$PN_RUN/deferred"
    kmsg 6 "no fw-cfg or initrd identity; deferring the claim to pre-pivot (root=$CMDARG)"
else
    PN_ID=
    IFS= read -r PN_ID < /proc/sys/kernel/random/uuid || :
    if [ -z "$PN_ID" ]; then
        kmsg 3 "cannot read /proc/sys/kernel/random/uuid"
        exit 1
    fi
    claim "$PN_ID" generated-uuid
fi
exit 0
