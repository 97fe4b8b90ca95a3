#!/usr/bin/env bash
# Debian's PostgreSQL server for the ledger's tests (bme ledger --db postgres://…). Does nothing
# when a server binary is already there; needs root or sudo the first time. The tests start their
# own server (own data directory, 127.0.0.1, a free port) and stop it by its PID.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
# the tests run their own server; the distribution's cluster is not needed
$SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
