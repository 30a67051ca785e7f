#!/usr/bin/env bash
# Start the local single-node broker in the background (idempotent).
# Exits 0 at once if our broker already runs; use wait.sh to wait until it answers.
# Prints one word on stdout: started | running | external (another broker answers
# on the port, e.g. one from another checkout); callers stop only what they started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

command -v java >/dev/null || { echo "start.sh: java not found (Java 17+ is needed)" >&2; exit 1; }
"$KAFKA_DEPLOY_DIR/fetch.sh"

mkdir -p "$KAFKA_RUN_DIR"
# Parallel test sessions may call start.sh at the same moment.
exec 9>"$KAFKA_RUN_DIR/.start.lock"
flock 9

if pid="$(kafka_running_pid)"; then
  echo "start.sh: broker already running (pid $pid) on $KAFKA_BOOTSTRAP" >&2
  echo running
  exit 0
fi

for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT"; do
  if kafka_port_open "$port"; then
    if [[ "$port" == "$KAFKA_PORT" ]] && kafka_answers 20; then
      # Most likely the broker of another checkout; it serves the tests as well.
      echo "start.sh: a Kafka broker not started from $KAFKA_RUN_DIR already answers on $KAFKA_BOOTSTRAP; using it" >&2
      echo external
      exit 0
    fi
    echo "start.sh: port $KAFKA_HOST:$port is taken by another program; set PIIMASK_KAFKA_PORT / PIIMASK_KAFKA_CONTROLLER_PORT / PIIMASK_KAFKA_SASL_PORT" >&2
    exit 1
  fi
done

sed -e "s|@HOST@|$KAFKA_HOST|g" -e "s|@PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@SASL_PORT@|$KAFKA_SASL_PORT|g" \
    -e "s|@DATA_DIR@|$KAFKA_DATA_DIR|g" \
    "$KAFKA_DEPLOY_DIR/server.properties.in" >"$KAFKA_PROPS_FILE"

if [[ ! -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
  rm -rf "$KAFKA_DATA_DIR"
  # 16 random bytes, URL-safe base64 without padding: the form of a Kafka Uuid. It starts
  # with "-" one time in 64, hence --cluster-id=ID (as a separate word argparse reads it
  # as an option and the format fails).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  echo "start.sh: formatting $KAFKA_DATA_DIR (cluster id $cluster_id)" >&2
  # SCRAM users live in the metadata log; creating them at format time means
  # the SASL listener works from the first second.
  "${KAFKA_TOOL_JAVA[@]}" kafka.tools.StorageTool format \
    --config "$KAFKA_PROPS_FILE" --cluster-id="$cluster_id" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
    >"$KAFKA_RUN_DIR/format.log" 2>&1 || {
      echo "start.sh: formatting the log directory failed:" >&2
      cat "$KAFKA_RUN_DIR/format.log" >&2
      exit 1
    }
fi

[[ -f "$KAFKA_LOG_FILE" ]] && mv -f "$KAFKA_LOG_FILE" "$KAFKA_LOG_FILE.1"
# Written again by the test fixtures when they are the ones starting the broker.
rm -f "$KAFKA_RUN_DIR/started-by-tests"
# setsid: the broker must outlive the shell, test session or job that started it;
# 9>&-: it must not inherit (and hold forever) the start lock.
setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  "-Dlog4j2.configurationFile=$KAFKA_DEPLOY_DIR/log4j2.properties" \
  -cp "$KAFKA_LIB_DIR/*" kafka.Kafka "$KAFKA_PROPS_FILE" \
  </dev/null >"$KAFKA_LOG_FILE" 2>&1 9>&- &
echo $! >"$KAFKA_PID_FILE"
echo started
echo "start.sh: started broker (pid $!) on $KAFKA_BOOTSTRAP (SASL/SCRAM on $KAFKA_HOST:$KAFKA_SASL_PORT), log $KAFKA_LOG_FILE" >&2
