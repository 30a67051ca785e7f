#!/usr/bin/env bash
# Wait until the local broker answers requests; exit 1 with the log tail on timeout.
# Usage: wait.sh [TIMEOUT_SECONDS]   (default $PIIMASK_KAFKA_WAIT_TIMEOUT or 120)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

timeout_s="${1:-${PIIMASK_KAFKA_WAIT_TIMEOUT:-120}}"
deadline=$((SECONDS + timeout_s))
had_pid=0
[[ -f "$KAFKA_PID_FILE" ]] && had_pid=1

while ((SECONDS < deadline)); do
  if ((had_pid)) && ! kafka_running_pid >/dev/null && ! kafka_port_open "$KAFKA_PORT"; then
    echo "wait.sh: the broker process exited" >&2
    kafka_log_tail
    exit 1
  fi
  if kafka_port_open "$KAFKA_PORT" && kafka_port_open "$KAFKA_SASL_PORT"; then
    remaining=$((deadline - SECONDS))
    ((remaining < 5)) && remaining=5
    if kafka_answers "$remaining" sasl; then
      echo "wait.sh: broker answers on $KAFKA_BOOTSTRAP after ${SECONDS}s" >&2
      exit 0
    fi
  fi
  sleep 0.5
done
echo "wait.sh: no answer from a broker on $KAFKA_BOOTSTRAP within ${timeout_s}s" >&2
kafka_log_tail
exit 1
