#!/bin/sh
# What Dispatch Desktop needs from Debian/Ubuntu before `python3 -m venv` and `pip install`:
# Python's venv module, time zone data, and the system libraries of Qt and its xcb window plugin
# (dispatch_desktop/ui/shell/platform_check.py checks the same ones when the console starts).
#   scripts/install-debian-deps.sh          for running the console
#   scripts/install-debian-deps.sh --test   also what the test suite uses (readelf)
# Installs only what is missing; uses sudo when not run as root. Elsewhere it does nothing.
# Stops (exit 3) when the system's python3 is older than 3.11, before installing anything.
set -eu

packages="python3 python3-venv tzdata
  libgl1 libegl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 zlib1g libzstd1
  libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0
  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
  libxkbcommon-x11-0"
if [ "${1:-}" = "--test" ]; then
  packages="$packages binutils"
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-debian-deps: not Debian/Ubuntu, nothing to install (Qt's libraries come with the system)"
  exit 0
fi

# The distribution's python3 runs the program: 3.11 or newer (Debian 12, Ubuntu 23.04 and later).
python_too_old() {
  command -v python3 >/dev/null 2>&1 || return 1
  version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  [ "${version%%.*}" -eq 3 ] && [ "${version#*.}" -lt 11 ]
}
check_python() {
  if python_too_old; then
    echo "error: Dispatch Desktop needs Python 3.11 or newer and this system's python3 is $version:" \
      "use Debian 12, Ubuntu 24.04 or a newer release" >&2
    exit 3
  fi
}
check_python

missing=""
for package in $packages; do
  # a t64 rename (libglib2.0-0t64 on Ubuntu 24.04, Debian 13) counts as installed
  for name in "$package" "${package}t64"; do
    if dpkg-query -W -f='${Status}\n' "$name" 2>/dev/null | grep -q "install ok installed"; then
      continue 2
    fi
  done
  missing="$missing $package"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  # Debian without sudo (a root password set at install): `su -` starts in /root, so name the full path
  case "$0" in /*) script=$0 ;; *) script=$PWD/$0 ;; esac
  echo "error: installing$missing needs root: run  su -c '$script${1:+ $1}'  (or install sudo)," \
    "then this command again" >&2
  exit 4
fi
echo "install-debian-deps: installing$missing"
# shellcheck disable=SC2086  # $as_root and $missing are word lists
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
check_python
