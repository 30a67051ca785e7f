#!/usr/bin/env bash
# Create topics on the local broker (existing ones are left alone).
# Usage: create-topics.sh NAME[:PARTITIONS[:KEY=VALUE,...]] ...
#   e.g. create-topics.sh events.in:3 events.masked:3 events.audit:3:cleanup.policy=compact
# PIIMASK_KAFKA_BOOTSTRAP overrides the broker address (default 127.0.0.1:$PIIMASK_KAFKA_PORT).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if (($# == 0)); then
  sed -n '2,5s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
fi
"$KAFKA_DEPLOY_DIR/fetch.sh"
bootstrap="${PIIMASK_KAFKA_BOOTSTRAP:-$KAFKA_BOOTSTRAP}"

for spec in "$@"; do
  IFS=: read -r name partitions configs <<<"$spec"
  partitions="${partitions:-1}"
  if [[ -z "$name" || ! "$partitions" =~ ^[1-9][0-9]*$ ]]; then
    echo "create-topics.sh: bad topic spec '$spec' (want NAME[:PARTITIONS[:KEY=VALUE,...]])" >&2
    exit 2
  fi
  args=(--bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name"
        --partitions "$partitions" --replication-factor 1)
  if [[ -n "${configs:-}" ]]; then
    IFS=, read -r -a pairs <<<"$configs"
    for pair in "${pairs[@]}"; do args+=(--config "$pair"); done
  fi
  "${KAFKA_TOOL_JAVA[@]}" org.apache.kafka.tools.TopicCommand "${args[@]}"
done
