#!/usr/bin/env bash
# The browser the web UI's tests drive: Debian's chromium (Playwright launches it with
# executable_path=/usr/bin/chromium; `playwright install` cannot download here).
# Installs the package if missing; prints the browser's path.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium (Debian package)..." >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >&2
fi
echo /usr/bin/chromium
