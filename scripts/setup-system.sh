#!/usr/bin/env bash
# System packages the test suite needs beyond npm: Debian's chromium (dashboard end-to-end
# tests) and redis-server (distributed sweeps). Each script does nothing when its package is
# already there; both need root or sudo the first time.
set -euo pipefail
here="$(dirname "$0")"
sh "$here/install-chromium.sh" >/dev/null
bash "$here/install-redis.sh"
bash "$here/install-postgres.sh"
