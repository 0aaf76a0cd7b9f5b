#!/usr/bin/env bash
# Apache Kafka 3.9.x, single node in KRaft mode, as a local process.
# Usage: kafka.sh start|stop|kill|status
# Jars come from Maven Central (mvn copy-dependencies into .cache/kafka/libs, git-ignored).
source "$(dirname "$0")/lib.sh"
KAFKA_DIR="$STACK_DIR/kafka"
LIBS="$CACHE_DIR/kafka/libs"

fetch_jars() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) to fetch Kafka's jars"
  command -v java >/dev/null || die "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
  say "fetching Kafka jars from Maven Central"
  mvn -q -B -f "$ROOT/scripts/stack/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

kafka_ready() {
  # A broker answers the ApiVersions handshake once it is up; the Node check is cheap and exact.
  node "$ROOT/scripts/stack/kafka-ready.mjs" "127.0.0.1:$(state_get kafka_port)"
}

start() {
  if pid_alive "$(state_get kafka_pid)" && kafka_ready; then say "kafka already running on $(state_get kafka_port)"; return 0; fi
  fetch_jars
  local port ctl; port=$(pick_port "${KAFKA_PORT:-19092}"); ctl=$(pick_port $((port + 1)))
  [ "$ctl" = "$port" ] && ctl=$(pick_port $((port + 2)))
  mkdir -p "$KAFKA_DIR/data"
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.flush.interval.messages=1
PROPS
  cat > "$KAFKA_DIR/log4j.properties" <<'L4J'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
L4J
  local cp="$LIBS/*"
  local jopts=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j.configuration=file:$KAFKA_DIR/log4j.properties")
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "switchyard-local-$(date +%s)" \
      -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/format.log" 2>&1 || { cat "$KAFKA_DIR/format.log" >&2; die "kafka storage format failed"; }
  fi
  nohup java "${jopts[@]}" -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/kafka.log" 2>&1 &
  state_set kafka_pid $!
  state_set kafka_port "$port"
  write_env
  if ! wait_until 90 kafka kafka_ready; then tail -30 "$KAFKA_DIR/kafka.log" >&2; die "kafka did not become ready on $port"; fi
  say "kafka ready on 127.0.0.1:$port"
}

stop() {
  stop_pid "$(state_get kafka_pid)" "${1:--TERM}"
  say "kafka stopped"
}

case "${1:-status}" in
  start) start ;;
  stop) stop -TERM ;;
  kill) stop -KILL ;;
  status) if pid_alive "$(state_get kafka_pid)" && kafka_ready; then echo "kafka up 127.0.0.1:$(state_get kafka_port)"; else echo "kafka down"; exit 1; fi ;;
  *) die "usage: kafka.sh start|stop|kill|status" ;;
esac
