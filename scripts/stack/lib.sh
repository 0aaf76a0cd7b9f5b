# Shared helpers for the local stack scripts. Sourced, not run.
# State lives in $STACK_DIR (git-ignored): data dirs, logs, pids and stack.env (the chosen ports).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${SWITCHYARD_STACK_DIR:-$ROOT/.stack}"
CACHE_DIR="$ROOT/.cache"
mkdir -p "$STACK_DIR"

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# port_free PORT -> exit 0 when nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port PREFERRED -> prints PREFERRED when free, else the next free port above it
pick_port() {
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

# state_get KEY -> value from $STACK_DIR/state (empty when unset)
state_get() { [ -f "$STACK_DIR/state" ] && grep -E "^$1=" "$STACK_DIR/state" | tail -n1 | cut -d= -f2- || true; }
state_set() {
  touch "$STACK_DIR/state"
  grep -vE "^$1=" "$STACK_DIR/state" > "$STACK_DIR/state.tmp" || true
  echo "$1=$2" >> "$STACK_DIR/state.tmp"
  mv "$STACK_DIR/state.tmp" "$STACK_DIR/state"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID SIGNAL -> signal PID, wait up to 20 s for it to exit, then SIGKILL it
stop_pid() {
  local pid=$1
  pid_alive "$pid" || return 0
  kill "$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do pid_alive "$pid" || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}

# wait_until SECONDS DESCRIPTION CMD... -> retries CMD every 0.2 s
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); local what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

write_env() {
  {
    echo "KAFKA_BROKERS=127.0.0.1:$(state_get kafka_port)"
    echo "CLICKHOUSE_URL=http://127.0.0.1:$(state_get ch_http_port)"
    # Where the local broker keeps its partitions (tests read record batch headers from it).
    echo "KAFKA_LOG_DIR=$STACK_DIR/kafka/data"
  } > "$STACK_DIR/stack.env"
}
