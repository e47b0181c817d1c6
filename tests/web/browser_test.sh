#!/usr/bin/env bash
# Browser test of the web front end: indexes a corpus, serves it through
# lighttpd + newssearch.cgi on a free loopback port (as tools/run does) and
# drives Debian's chromium with playwright-core (browser_test.mjs).
#   tests/web/browser_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
# Exit 77 (ctest: skipped) only when Chromium is missing or cannot start.
set -euo pipefail
BUILD=$1 SRC=$2 OUT=$3
HERE=$SRC/tests/web
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip() { echo "SKIPPED: $*"; exit 77; }

[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (apt-get install chromium; tools/test installs it)"
command -v node >/dev/null || { echo "FAIL: node is not installed"; exit 1; }
command -v lighttpd >/dev/null || { echo "FAIL: lighttpd is not installed"; exit 1; }
if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
  echo "Installing playwright-core with npm ..."
  (cd "$HERE" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) >&2
fi

rm -rf "$OUT"; mkdir -p "$OUT"
CORPUS=$SRC/corpus
[ -d "$CORPUS" ] || CORPUS=$SRC/../shared/seeds
"$BUILD/indexer/newsindex" build --db "$OUT/news.db" --quiet "$CORPUS"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
. "$SRC/tools/lighttpd-conf.sh"
write_lighttpd_conf "$OUT/lighttpd.conf" "$PORT" "$BUILD/searcher/newssearch.cgi" "$SRC/searcher/web" "$OUT/news.db" "$OUT"
lighttpd -D -f "$OUT/lighttpd.conf" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/static/style.css" && break
  sleep 0.1
done
node "$HERE/browser_test.mjs" "http://127.0.0.1:$PORT" "$OUT" "$CHROMIUM"
