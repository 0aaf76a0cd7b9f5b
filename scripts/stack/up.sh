#!/usr/bin/env bash
# Start (or confirm) the local Kafka and ClickHouse; prints the env file's path and contents.
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/stack/clickhouse.sh" start
bash "$ROOT/scripts/stack/kafka.sh" start
write_env
cat "$STACK_DIR/stack.env"
