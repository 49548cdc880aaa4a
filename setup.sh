#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a built default cell:
#   sudo ./setup.sh            # install host packages + npm deps, put `build` on PATH, build kernel-initrd/amd64
#   sudo ./setup.sh --no-build # the same without the build
set -euo pipefail
cd "$(dirname "$0")"

# Host tools the steps, the smoke boots and the tests run (all from Debian's archive).
PACKAGES=(
  mmdebstrap debian-archive-keyring arch-test uidmap bubblewrap
  qemu-system-x86 qemu-system-arm qemu-user-static binfmt-support qemu-utils
  ovmf qemu-efi-aarch64 fsverity cpio zstd xz-utils tar
  xorriso grub-common grub-pc-bin grub-efi-amd64-bin mtools dosfstools e2fsprogs erofs-utils squashfs-tools fdisk
  shellcheck skopeo umoci docker-registry apache2-utils openssh-server ipxe curl git attr
  podman runc busybox-static
)

if [ "$(id -u)" -ne 0 ]; then echo "setup.sh: run as root (apt-get install)" >&2; exit 2; fi
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm link --no-audit --no-fund >/dev/null   # puts `build` on PATH (and makes `npx build` find it)

if [ "${1:-}" != "--no-build" ]; then
  ARCH=amd64 VARIANT=kernel-initrd build
fi
