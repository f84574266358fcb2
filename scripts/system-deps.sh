#!/usr/bin/env bash
# Debian packages the test suite and benchmarks need: chromium + a Japanese font for the browser
# tests (and npm for axe-core), PostgreSQL for the storage tests, wrk for the HTTP benchmark. Idempotent: installs only
# what is missing, so it costs nothing on a machine that already has them.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || need+=(fonts-ipafont-gothic)
# emoji in LINE-style drafts render as boxes in the browser tests' screenshots without a colour emoji font
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# npm installs axe-core (package-lock.json) for the accessibility checks in the browser tests
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
