#!/usr/bin/env bash
# Builds the Debian base the images are built FROM when no registry is reachable: debootstrap of bookworm
# (minbase) with bookworm-updates and bookworm-security enabled, apt caches removed, imported into the local
# engine. Prints the image name to pass as BASE_IMAGE on stdout (with --id, its content-addressed image ID,
# for the stack's `baseImage` config, which accepts only immutable references); everything else goes to stderr.
#
#   images/base/build-base.sh [--rebuild] [--id]
#
# Environment: BULWARK_BASE_IMAGE (default bulwark/debian-base:bookworm), DEBIAN_MIRROR
# (default http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
# DEBIAN_KEYRING (default /usr/share/keyrings/debian-archive-keyring.gpg, from debian-archive-keyring).
#
# The archive's signature is always checked against that keyring, whatever the mirror or its scheme:
# debootstrap otherwise only warns on some hosts and goes on unverified. The image is labelled
# bulwark.base.verified=debootstrap-gpg (and bulwark.base.keyring-sha256) so that an existing image is reused
# only if it was built that way; an unlabelled one (e.g. from an older, unverified build) is refused with exit
# status 2 until --rebuild replaces it.
set -euo pipefail

image="${BULWARK_BASE_IMAGE:-bulwark/debian-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
keyring="${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
suite="bookworm"
rebuild=false
print_id=false

log() { printf 'build-base: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for arg in "$@"; do
    case "$arg" in
        --rebuild) rebuild=true ;;
        --id) print_id=true ;;
        -h | --help)
            sed -n '2,17p' "$0" >&2
            exit 0
            ;;
        *) die "unknown argument '$arg' (expected --rebuild or --id)" ;;
    esac
done

command -v docker >/dev/null 2>&1 || die "docker CLI not found; run scripts/setup-host.sh"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running, and may this user use it?)"

# One build at a time on a host: a second caller (CI builds the images while its unit suite runs, and the runtime
# suite may ask for the base meanwhile) waits here, then finds the image and reuses it.
exec 9>"${TMPDIR:-/tmp}/bulwark-build-base.lock"
flock 9

print_result() {
    if [[ "$print_id" == true ]]; then
        docker image inspect --format '{{.Id}}' "$image"
    else
        printf '%s\n' "$image"
    fi
}

verified_label="bulwark.base.verified"
verified_value="debootstrap-gpg"
if [[ "$rebuild" == false ]] && docker image inspect "$image" >/dev/null 2>&1; then
    verified="$(docker image inspect --format "{{ index .Config.Labels \"$verified_label\" }}" "$image")"
    if [[ "$verified" != "$verified_value" ]]; then
        # Exit status 2 (not 1) so tools/runtime/images.ts can tell this refusal from a failed build.
        log "error: the existing $image has no $verified_label=$verified_value label: it was not built with the archive's signature verified (an older build-base.sh), so it is not reused; run $0 --rebuild to replace it (about 3 minutes, as root)"
        exit 2
    fi
    log "reusing existing $image (pass --rebuild to make a fresh one with current security updates)"
    print_result
    exit 0
fi

[[ "$(id -u)" -eq 0 ]] || die "debootstrap needs root; run as root (sudo $0 $*)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found; run scripts/setup-host.sh"
# Checked here rather than left to debootstrap, so the message names the fix.
[[ -s "$keyring" ]] || die "the Debian archive keyring $keyring is missing, so the archive's signature cannot be verified; install debian-archive-keyring (scripts/setup-host.sh) or point DEBIAN_KEYRING at it"
command -v gpgv >/dev/null 2>&1 || die "gpgv not found, so the archive's signature cannot be verified; install gpgv (scripts/setup-host.sh)"

workdir="$(mktemp -d /tmp/bulwark-base.XXXXXX)"
cleanup() { rm -rf --one-file-system "$workdir"; }
trap cleanup EXIT
rootfs="$workdir/rootfs"

log "debootstrap --variant=minbase $suite from $mirror, signature checked against $keyring (about a minute)"
debootstrap --variant=minbase --keyring="$keyring" --force-check-gpg "$suite" "$rootfs" "$mirror" >&2

# The images' own `apt-get update && apt-get upgrade` then pick up point and security updates.
cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SOURCES

# No package lists, caches or host-specific files in the image: they are stale by the next build anyway.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"

created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# Which keyring vouched for the archive, should one ever need to be distrusted.
keyring_sha256="$(sha256sum "$keyring" | cut -d' ' -f1)"
log "importing as $image"
tar --numeric-owner -C "$rootfs" -c . |
    docker import \
        --change 'CMD ["/bin/bash"]' \
        --change "LABEL org.opencontainers.image.title=bulwark-debian-base" \
        --change "LABEL org.opencontainers.image.created=$created" \
        --change "LABEL org.opencontainers.image.source=debootstrap:$suite:minbase" \
        --change "LABEL $verified_label=$verified_value" \
        --change "LABEL bulwark.base.keyring-sha256=$keyring_sha256" \
        - "$image" >&2

print_result
