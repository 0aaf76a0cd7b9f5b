#!/usr/bin/env bash
# Stop the local Kafka and ClickHouse (data is kept under .stack/; delete it for a clean slate).
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/stack/kafka.sh" stop
bash "$ROOT/scripts/stack/clickhouse.sh" stop
