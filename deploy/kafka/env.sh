# Shared settings of the local broker scripts; sourced, not run.
# shellcheck shell=bash

KAFKA_DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Jars from Maven (fetch.sh); PIIMASK_KAFKA_HOME points at an existing Kafka
# install instead (its libs/ folder is used and nothing is downloaded).
KAFKA_CACHE_DIR="${PIIMASK_KAFKA_CACHE:-$KAFKA_DEPLOY_DIR/.cache}"
KAFKA_RUN_DIR="${PIIMASK_KAFKA_RUN:-$KAFKA_DEPLOY_DIR/run}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_DEPLOY_DIR/pom.xml")"
if [[ -n "${PIIMASK_KAFKA_HOME:-}" ]]; then
  KAFKA_LIB_DIR="$PIIMASK_KAFKA_HOME/libs"
else
  KAFKA_LIB_DIR="$KAFKA_CACHE_DIR/kafka-$KAFKA_VERSION/libs"
fi

KAFKA_HOST="127.0.0.1"
KAFKA_PORT="${PIIMASK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${PIIMASK_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_PORT="${PIIMASK_KAFKA_SASL_PORT:-9094}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

# Test-only credentials of the SCRAM listener (documented in the README).
KAFKA_SASL_USER="${PIIMASK_KAFKA_SASL_USER:-piimask}"
KAFKA_SASL_PASSWORD="${PIIMASK_KAFKA_SASL_PASSWORD:-piimask-secret}"

KAFKA_HEAP_OPTS="${PIIMASK_KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"

KAFKA_DATA_DIR="$KAFKA_RUN_DIR/data"
KAFKA_PID_FILE="$KAFKA_RUN_DIR/kafka.pid"
KAFKA_LOG_FILE="$KAFKA_RUN_DIR/kafka.log"
KAFKA_PROPS_FILE="$KAFKA_RUN_DIR/server.properties"

# Command line tools run for a second or two; a small heap and the C1-only JIT
# start faster and leave the two cores to the broker.
KAFKA_TOOL_JAVA=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
  "-Dlog4j2.configurationFile=$KAFKA_DEPLOY_DIR/log4j2-tools.properties"
  -cp "$KAFKA_LIB_DIR/*")

# Pid of our broker if it runs (pid file plus a check of the command line, so
# a recycled pid is not mistaken for the broker).
kafka_running_pid() {
  local pid
  [[ -f "$KAFKA_PID_FILE" ]] || return 1
  pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "kafka.Kafka $KAFKA_PROPS_FILE" || return 1
  echo "$pid"
}

kafka_port_open() {
  (exec 3<>"/dev/tcp/$KAFKA_HOST/$1") 2>/dev/null
}

# Python with aiokafka for the quick probe (probe.py); empty if there is none.
# Looked up once per script: the import check alone costs a second on a busy machine.
KAFKA_PROBE_PYTHON=""
KAFKA_PROBE_PYTHON_CHECKED=0
kafka_probe_python() {
  local py
  if ((!KAFKA_PROBE_PYTHON_CHECKED)); then
    KAFKA_PROBE_PYTHON_CHECKED=1
    for py in "${PIIMASK_PYTHON:-}" "$KAFKA_DEPLOY_DIR/../../.venv/bin/python"; do
      if [[ -n "$py" && -x "$py" ]] && "$py" -c 'import aiokafka' 2>/dev/null; then
        KAFKA_PROBE_PYTHON="$py"
        break
      fi
    done
  fi
  [[ -n "$KAFKA_PROBE_PYTHON" ]] && echo "$KAFKA_PROBE_PYTHON"
}

# A real request, not just an open port: metadata over PLAINTEXT and, with
# "sasl" as second argument, a SCRAM login on the SASL listener. Uses probe.py
# when a Python with aiokafka is found, else the JVM TopicCommand (slower).
kafka_answers() {
  local secs="${1:-30}"
  kafka_probe_python >/dev/null || true
  if [[ -n "$KAFKA_PROBE_PYTHON" ]]; then
    local sasl=()
    [[ "${2:-}" == sasl ]] && sasl=(--sasl "$KAFKA_HOST:$KAFKA_SASL_PORT" "$KAFKA_SASL_USER" "$KAFKA_SASL_PASSWORD")
    "$KAFKA_PROBE_PYTHON" "$KAFKA_DEPLOY_DIR/probe.py" "$KAFKA_BOOTSTRAP" "${sasl[@]}" --timeout "$secs" 2>/dev/null
  else
    timeout "$secs" "${KAFKA_TOOL_JAVA[@]}" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "$KAFKA_BOOTSTRAP" --list >/dev/null 2>&1
  fi
}

kafka_log_tail() {
  if [[ -f "$KAFKA_LOG_FILE" ]]; then
    echo "---- last lines of $KAFKA_LOG_FILE ----" >&2
    tail -n "${1:-40}" "$KAFKA_LOG_FILE" >&2
  else
    echo "(no broker log at $KAFKA_LOG_FILE)" >&2
  fi
}
