#!/usr/bin/env bash
# ClickHouse (Debian's clickhouse-server, 18.16 on bookworm) as a local process with its own
# config and data dir under .stack/clickhouse. Usage: clickhouse.sh start|stop|kill|status
source "$(dirname "$0")/lib.sh"
CH_DIR="$STACK_DIR/clickhouse"
CH_BIN="${CLICKHOUSE_SERVER_BIN:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}"

ensure_installed() {
  [ -x "$CH_BIN" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing clickhouse-server with apt-get"
    (apt-get install -y -q clickhouse-server >&2 || { apt-get update -q >&2 && apt-get install -y -q clickhouse-server >&2; }) \
      || die "apt-get install clickhouse-server failed"
    CH_BIN=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
  else
    die "clickhouse-server not found: install it (Debian/Ubuntu: sudo apt-get install clickhouse-server) or set CLICKHOUSE_URL to a running server"
  fi
}

ch_ready() { curl -fsS "http://127.0.0.1:$(state_get ch_http_port)/ping" | grep -q Ok; }

start() {
  if pid_alive "$(state_get ch_pid)" && ch_ready; then say "clickhouse already running on $(state_get ch_http_port)"; return 0; fi
  ensure_installed
  local http tcp inter
  http=$(pick_port "${CLICKHOUSE_HTTP_PORT:-18123}"); tcp=$(pick_port 19000); inter=$(pick_port $((tcp + 1)))
  mkdir -p "$CH_DIR/data" "$CH_DIR/tmp" "$CH_DIR/user_files" "$CH_DIR/format_schemas" "$CH_DIR/log"
  cat > "$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/error.log</errorlog><size>10M</size><count>2</count></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/tmp/</tmp_path>
  <user_files_path>$CH_DIR/user_files/</user_files_path>
  <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
  <users_config>$CH_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
XML
  cat > "$CH_DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default><readonly><readonly>1</readonly></readonly></profiles>
  <users><default><password></password><networks><ip>::1</ip><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  # exec: the recorded pid is the server's own, so stop/kill signal the server, not a subshell.
  (cd "$CH_DIR" && exec nohup "$CH_BIN" --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout.log" 2>&1 </dev/null) &
  echo $! > "$CH_DIR/pid"
  state_set ch_pid "$(cat "$CH_DIR/pid")"
  state_set ch_http_port "$http"
  write_env
  if ! wait_until 60 clickhouse ch_ready; then tail -30 "$CH_DIR/log/error.log" "$CH_DIR/log/stdout.log" >&2 || true; die "clickhouse did not become ready on $http"; fi
  say "clickhouse ready on http://127.0.0.1:$http"
}

stop() {
  stop_pid "$(state_get ch_pid)" "${1:--TERM}"
  say "clickhouse stopped"
}

case "${1:-status}" in
  start) start ;;
  stop) stop -TERM ;;
  kill) stop -KILL ;;
  status) if pid_alive "$(state_get ch_pid)" && ch_ready; then echo "clickhouse up http://127.0.0.1:$(state_get ch_http_port)"; else echo "clickhouse down"; exit 1; fi ;;
  *) die "usage: clickhouse.sh start|stop|kill|status" ;;
esac
