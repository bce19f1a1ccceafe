#!/usr/bin/env bash
# What the website, slides and Marp decks need beyond .venv (called at the end
# of scripts/setup.sh, and with --node-only by scripts/export_course.sh):
#   - Node.js and the npm packages pinned in scripts/export/package-lock.json
#     (reveal.js 4.6.0, MathJax 2.7.9, require.js, jQuery, marp-cli, axe-core), installed
#     with `npm ci` into scripts/export/node_modules when missing or stale;
#   - Debian's chromium, which prints the decks' PDFs and is the headless browser of
#     tests/test_export_browser.py and tests/test_site_browser.py
#     (Playwright drives /usr/bin/chromium; it never downloads a browser).
# Safe to run again: when everything is in place it does nothing and prints nothing.
set -euo pipefail
cd "$(dirname "$0")"

node_only=0
[ "${1:-}" = "--node-only" ] && node_only=1

# apt-get install as root or through password-less sudo; refresh the package
# lists only when the first attempt fails.
apt_install() {
  command -v apt-get >/dev/null || return 1
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "$@" >/dev/null 2>&1; }
}

# Node.js and the pinned npm packages. scripts/export_course.sh cannot go on
# without them; for scripts/setup.sh (students too) a failure is only a warning.
install_node_packages() {
  if ! command -v npm >/dev/null; then
    echo "[setup] installing Node.js and npm (apt-get)"
    apt_install nodejs npm || { echo "[setup] could not install Node.js (>= 18) and npm" >&2; return 1; }
  fi
  # node_modules is current when it was installed from these exact package files.
  local stamp=node_modules/.installed-from want log
  want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  echo "[setup] installing the pinned npm packages (npm ci in scripts/export)"
  log=$(mktemp)
  # --prefer-offline: packages already in npm's cache are not downloaded again.
  if ! npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "[setup] npm ci failed (the first install needs the npm registry)" >&2
    return 1
  fi
  rm -f "$log"
  echo "$want" > "$stamp"
}

if ! install_node_packages; then
  [ "$node_only" = 1 ] && exit 1
  echo "[setup] slides cannot be exported until this works (scripts/export_course.sh)" >&2
fi

if [ "$node_only" = 0 ] && [ ! -x /usr/bin/chromium ]; then
  echo "[setup] installing Debian's chromium (apt-get) for the browser tests"
  apt_install chromium ||
    echo "[setup] could not install chromium: tests/test_export_browser.py will be skipped" >&2
fi
exit 0
