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

# configure_build DIR [cmake args...]: configure (if needed) and build DIR.
configure_build() {
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}
