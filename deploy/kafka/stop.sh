#!/usr/bin/env bash
# Stop the local broker (clean shutdown, then wait for the process to exit).
# Usage: stop.sh [--wipe] [--force]
#   --wipe   also delete its data (topics, SCRAM users); the next start formats anew
#   --force  stop even while test sessions hold a lease on the broker
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

wipe=0
force=0
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=1 ;;
    --force) force=1 ;;
    *) echo "stop.sh: unknown option $arg (want --wipe, --force)" >&2; exit 2 ;;
  esac
done

mkdir -p "$KAFKA_RUN_DIR"
exec 9>"$KAFKA_RUN_DIR/.start.lock"
flock 9

# tests/integration/conftest.py leaves one file per live pytest process here.
if ((!force)) && [[ -d "$KAFKA_RUN_DIR/leases" ]]; then
  users=()
  for lease in "$KAFKA_RUN_DIR"/leases/*; do
    [[ -e "$lease" ]] || continue
    holder="$(basename "$lease")"
    if [[ "$holder" =~ ^[0-9]+$ ]] && kill -0 "$holder" 2>/dev/null; then
      users+=("$holder")
    else
      rm -f "$lease"
    fi
  done
  if ((${#users[@]})); then
    echo "stop.sh: test sessions (pids ${users[*]}) still use the broker; leaving it running (--force stops it anyway)" >&2
    exit 0
  fi
fi

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
