#!/usr/bin/env bash
# Installs what a fresh Debian or Ubuntu machine needs for the runtime tests (npm run test:runtime), the live
# audit and the benchmarks: the Docker engine, debootstrap for the offline base image, testssl.sh, openssl,
# the PostgreSQL client, age and zstd. Idempotent: only missing packages are installed, and nothing else on
# the machine is changed. Run as root.
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "run as root (e.g. sudo $0): it installs packages with apt-get"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found; this script supports Debian and Ubuntu only"
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found; this script supports Debian and Ubuntu only"

# Package -> why it is needed.
packages=(
    docker.io          # the engine the runtime suite, verify and the benches drive
    debootstrap        # images/base/build-base.sh builds the Debian base without a registry
    debian-archive-keyring # ... and verifies the archive's signature against it
    gpgv               # ... with gpgv (debootstrap refuses --keyring without it)
    testssl.sh         # TLS scan of the proxy in test/runtime/tls.test.ts
    openssl            # certificates and TLS probes
    postgresql-client  # psql for manual checks against the stack
    age                # backup encryption keys (backup tests)
    zstd               # backup compression (backup tests)
    ca-certificates    # apt and npm over https
    procps             # ps, which `docker top` runs on the host for verify
)

installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]; }

missing=()
for pkg in "${packages[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    log "all packages already installed: ${packages[*]}"
else
    log "installing: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The suite starts dockerd itself when none answers; say so instead of starting a service behind its back.
if docker info >/dev/null 2>&1; then
    log "the Docker engine answers"
else
    log "no Docker engine answers yet; npm run test:runtime will start dockerd for its run and stop it afterwards"
fi
