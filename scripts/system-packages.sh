#!/usr/bin/env bash
# Install the Debian packages the application needs, when they are missing: the Noto CJK
# fonts for Chinese PDFs, Pango for WeasyPrint (the PDF reports), gettext for the message
# catalogues; and, with `--tests`, Chromium for the Playwright tests and redis-server for the
# test that stops a Redis of its own (tests/test_redis_down.py).
set -euo pipefail
needed=()
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || needed+=(chromium)
  command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
fi
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || needed+=(fonts-noto-cjk)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || needed+=(libpango-1.0-0)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || needed+=(libpangoft2-1.0-0)
command -v msgfmt >/dev/null 2>&1 || needed+=(gettext)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${needed[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}"
