#!/usr/bin/env bash
# Install Debian's Chromium for the docs' browser test (tests/docs/test_browser.py).
#
# Idempotent: does nothing when /usr/bin/chromium is already there. Otherwise it
# runs `apt-get update` and `apt-get install -y --no-install-recommends chromium`
# (as root, or through `sudo -n` when not root) and says what it did.
# Called by `tox -e docs` before the build (see tox.ini, [testenv:docs]).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install-chromium: $CHROMIUM is already installed ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown')); nothing to do"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-chromium: $CHROMIUM is missing and this user can neither run apt-get (not root) nor sudo;" >&2
    echo "install-chromium: install it by hand: apt-get install chromium" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: $CHROMIUM is missing and there is no apt-get on this machine; install Chromium by hand" >&2
    exit 1
fi

echo "install-chromium: $CHROMIUM is missing; running apt-get update"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
echo "install-chromium: installing Debian's chromium package (--no-install-recommends)"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
echo "install-chromium: installed $("$CHROMIUM" --version)"
