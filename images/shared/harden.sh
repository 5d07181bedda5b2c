#!/bin/sh
# The hardening every image's build stage ends with, so that no image can drift from it: each Dockerfile COPYs
# this script in (the build context is images/) and runs it as the build stage's last step, after everything
# that installs or copies files; the final stage then copies the result onto an empty image (CON-04).
#
# Run as `sh /tmp/harden.sh`, not by its mode bit: the classic builder (used for a base given as a local image
# ID) has no COPY --chmod or RUN --mount, and a checkout's modes are not to be trusted. POSIX sh (Debian's dash),
# with no pipes: dash has no pipefail.
set -eux

# Only as that build step: on a host it would delete the logs and documentation and strip sudo of its setuid bit.
[ "$0" = /tmp/harden.sh ] || { echo "harden.sh: runs only as an image's build step (sh /tmp/harden.sh)" >&2; exit 2; }
# Nothing of the step itself stays in the image.
rm -f -- "$0"

# Package caches and lists (hadolint DL3009, CIS 4.7), logs, and the documentation nothing at run time reads;
# the copyright files stay (licences travel with the binaries).
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*
find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete

# No setuid/setgid programs: nothing in the container can gain privileges (CIS 4.8, CON-07, with
# no-new-privileges). Last, so that nothing above can add one back.
find / -xdev -type f -perm /6000 -exec chmod a-s {} +
