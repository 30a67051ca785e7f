#!/usr/bin/env bash
# Stop the local broker (clean shutdown, then wait for the process to exit).
# Usage: stop.sh [--wipe]   --wipe also deletes its data (topics, SCRAM users).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

wipe=0
[[ "${1:-}" == "--wipe" ]] && wipe=1

mkdir -p "$KAFKA_RUN_DIR"
exec 9>"$KAFKA_RUN_DIR/.start.lock"
flock 9

if pid="$(kafka_running_pid)"; then
  kill -TERM "$pid"
  timeout_s="${PIIMASK_KAFKA_STOP_TIMEOUT:-60}"
  deadline=$((SECONDS + timeout_s))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop.sh: broker (pid $pid) still running after ${timeout_s}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  echo "stop.sh: broker (pid $pid) stopped" >&2
else
  echo "stop.sh: no broker of ours is running" >&2
fi
rm -f "$KAFKA_PID_FILE"
if ((wipe)); then
  rm -rf "$KAFKA_DATA_DIR"
  echo "stop.sh: deleted $KAFKA_DATA_DIR" >&2
fi
