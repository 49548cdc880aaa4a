#!/bin/sh
# shellcheck shell=sh
# powernode-lib: shared helpers of powernode-init (logging, kernel command line).
# Installed as /usr/lib/powernode/lib.sh and sourced by powernode-init only (which
# runs in strict mode); never sourced by dracut's hook runner. The variables set here
# are used by the files sourced after it.
# shellcheck disable=SC2034

PN_RUN=/run/powernode
PN_LIB=/usr/lib/powernode
# busybox lives under our own name: dracut's 99busybox module (which would replace
# half of the initrd's tools with applets) stays out.
PN_BB=$PN_LIB/busybox
PN_NEWROOT=${NEWROOT:-/sysroot}
CR=$(printf '\r')

# kmsg LEVEL MESSAGE: kernel log (and the serial console, subject to loglevel).
kmsg() {
    if [ -w /dev/kmsg ]; then
        printf '<%s>powernode: %s\n' "$1" "$2" >> /dev/kmsg 2> /dev/null || :
    fi
}

# say LINE: one line on the console (what tests and operators watch) and in the kernel log.
say() {
    if [ -w /dev/console ]; then
        printf '%s\n' "$1" >> /dev/console 2> /dev/null || :
    fi
    kmsg 5 "$1"
}

# refuse REASON: the boot must not go on (unverifiable or inconsistent root). Prints
#   POWERNODE-ROOT-REFUSED <reason>
# and exits 1; the dracut hook then calls die (rd.emergency= decides what happens next).
refuse() {
    say "POWERNODE-ROOT-REFUSED $1"
    exit 1
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

# cmdargs KEY: sets CMDARGS to every value of KEY=VALUE, newline-separated, in order.
cmdargs() {
    CMDARGS=
    set -f
    for pn_word in $PN_CMDLINE; do
        case $pn_word in
            "$1"=*) CMDARGS="$CMDARGS${pn_word#"$1"=}
" ;;
        esac
    done
    set +f
}

# load_modules MODULE...: modprobe, quietly; a missing module shows up later as a
# failed mount with a clear message.
load_modules() {
    for pn_mod in "$@"; do
        modprobe -q "$pn_mod" 2> /dev/null || kmsg 6 "modprobe $pn_mod failed"
    done
}
