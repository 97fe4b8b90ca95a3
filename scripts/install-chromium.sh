#!/usr/bin/env sh
# Install Debian's chromium for the dashboard's end-to-end tests and bench (Playwright drives
# it through executablePath; browsers are never downloaded by Playwright itself).
# Usage: scripts/install-chromium.sh   (needs root or sudo; does nothing if chromium exists)
set -eu
CHROMIUM="${BME_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "chromium present: $CHROMIUM"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
