#!/usr/bin/env bash
# Installs Debian's chromium when /usr/bin/chromium is missing. The browser tests (test/e2e) drive it with
# playwright-core: `npx playwright install` cannot download Playwright's own browsers here. fonts-liberation
# (only recommended by the package) gives the screenshots real text.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-chromium: installing chromium (Debian package)" >&2
  # shellcheck source=scripts/infra/apt.sh
  . "$(dirname "$0")/apt.sh"
  apt_install chromium fonts-liberation >/dev/null
fi
