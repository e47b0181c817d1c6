# Sourced by tools/run, tools/test and tools/bench: installs the Debian
# packages the project needs when any is missing (apt-get as root, sudo
# otherwise) and configures + builds a tree. Not run directly.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

NEWS_PACKAGES=(
  build-essential cmake pkg-config git
  libxapian-dev xapian-tools xapian-omega uuid-dev xz-utils
  libicu-dev libzstd-dev zstd zlib1g-dev libfcgi-dev
  libcli11-dev doctest-dev nlohmann-json3-dev libjemalloc-dev
  iso-codes tzdata python3 perl curl
  lighttpd apache2-utils valgrind
)

ensure_packages() {
  local missing=() p
  for p in "${NEWS_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The cmake argument that links Xapian statically (tools/xapian-static:
# Debian's source of the installed libxapian, built once into
# build/xapian-static), or that keeps the shared one when NEWS_XAPIAN=shared,
# for sanitizer and fuzzing builds, or when the source cannot be had.
xapian_arg() {
  local a prefix
  for a in "$@"; do
    case "$a" in -DNEWS_SANITIZE=ON | -DNEWS_FUZZ=ON) echo "-DNEWS_XAPIAN_PREFIX="; return ;; esac
  done
  if [ "${NEWS_XAPIAN:-static}" = shared ]; then echo "-DNEWS_XAPIAN_PREFIX="; return; fi
  if prefix=$("$ROOT/tools/xapian-static"); then
    echo "-DNEWS_XAPIAN_PREFIX=$prefix"
  else
    echo "WARNING: no static Xapian (see above); linking the shared libxapian: every search process" \
      "starts about 0.5 ms slower" >&2
    echo "-DNEWS_XAPIAN_PREFIX="
  fi
}

# configure_build DIR [cmake args...]: configure (if needed) and build DIR.
configure_build() {
  local dir=$1; shift
  local xapian
  xapian=$(xapian_arg "$@")
  cmake -S "$ROOT" -B "$dir" "$xapian" "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}
