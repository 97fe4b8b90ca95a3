#!/usr/bin/env bash
# Installs Debian's redis-server if it is missing (the distributed queue's tests and
# `bme worker` need a Redis; the tests start their own on 127.0.0.1 and stop it by PID).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "redis-server is missing; install it with: sudo apt-get install -y redis-server" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq redis-server >/dev/null
# Debian starts a system service on install; the project starts its own servers.
(service redis-server stop || true) >/dev/null 2>&1
command -v redis-server >/dev/null
