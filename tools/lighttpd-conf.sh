# Sourced by tools/run, tools/bench-web and the browser test: writes a
# lighttpd config that serves newssearch.cgi at /search and / and the static
# assets at /static/, bound to 127.0.0.1 only. Not run directly.

# write_lighttpd_conf CONF PORT CGI STATIC_DIR DB LOG_DIR [CACHE_DIR] [MODE]
# CACHE_DIR (optional): where newssearch.cgi keeps whole responses, keyed by
# request, index revision and program build.
# MODE: fastcgi (default) keeps $(nproc) newssearch.cgi processes running,
# each with the index open, fed by lighttpd over a Unix socket in LOG_DIR;
# cgi starts one process per request.
write_lighttpd_conf() {
  local conf=$1 port=$2 cgi=$3 static=$4 db=$5 logs=$6 cache=${7:-} mode=${8:-fastcgi}
  [ -z "$cache" ] || mkdir -p "$cache"
  local env="\"NEWS_DB\" => \"$db\", \"NEWS_SEARCH_PATH\" => \"/search\", \"NEWS_STATIC_PATH\" => \"/static\", \"NEWS_CACHE\" => \"$cache\""
  local search
  if [ "$mode" = cgi ]; then
    search="alias.url += ( \"/search\" => \"$cgi\" )
\$HTTP[\"url\"] =~ \"^/search\" {
  cgi.assign = ( \"\" => \"\" )
  setenv.add-environment = ( $env )
}"
  else
    search="fastcgi.server = ( \"/search\" => ((
  \"socket\" => \"$logs/newssearch.fcgi.sock\",
  \"bin-path\" => \"$cgi\",
  \"max-procs\" => $(nproc),
  \"check-local\" => \"disable\",
  \"bin-environment\" => ( $env ),
)) )"
  fi
  cat >"$conf" <<CONF
# Written by tools/lighttpd-conf.sh; regenerated on every run.
server.modules = ("mod_rewrite", "mod_alias", "mod_setenv", "mod_cgi", "mod_fastcgi", "mod_expire")
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$static"
server.errorlog = "$logs/error.log"
server.tag = "newssearch"
# Slow or idle clients cannot hold the server for long: short idle
# timeouts (a request must arrive within 10 s) and room for many waiting
# connections. Debian's lighttpd has no per-client cap (no mod_evasive).
server.max-connections = 1024
server.max-fds = 4096
server.max-read-idle = 10
server.max-write-idle = 60
server.max-keep-alive-idle = 5
# Long hostile URLs reach the CGI, which answers them with a readable 414.
server.max-request-field-size = 262144
mimetype.assign = (
  ".css" => "text/css; charset=utf-8",
  ".js" => "text/javascript; charset=utf-8",
  ".svg" => "image/svg+xml",
  ".png" => "image/png",
  ".ico" => "image/x-icon",
)
url.rewrite-once = ( "^/(\\?.*)?\$" => "/search\$1" )
alias.url = ( "/static/" => "$static/" )
$search
\$HTTP["url"] =~ "^/static/" {
  expire.url = ( "" => "access plus 1 hours" )
}
CONF
}
