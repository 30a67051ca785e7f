#!/usr/bin/env bash
# Download the broker's jars with Maven into the cache folder (idempotent).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [[ -n "${PIIMASK_KAFKA_HOME:-}" ]]; then
  if ! compgen -G "$KAFKA_LIB_DIR/kafka-server-*.jar" >/dev/null; then
    echo "fetch.sh: PIIMASK_KAFKA_HOME=$PIIMASK_KAFKA_HOME has no libs/kafka-server-*.jar" >&2
    exit 1
  fi
  exit 0
fi

# The marker is written last, so an interrupted download is redone.
marker="$KAFKA_LIB_DIR/.complete"
if [[ -f "$marker" && "$marker" -nt "$KAFKA_DEPLOY_DIR/pom.xml" ]]; then
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (Maven 3.8+ is needed)" >&2; exit 1; }
mkdir -p "$KAFKA_CACHE_DIR"
# Serialises parallel first starts; the loser finds the marker afterwards.
exec 9>"$KAFKA_CACHE_DIR/.fetch.lock"
flock 9
if [[ -f "$marker" && "$marker" -nt "$KAFKA_DEPLOY_DIR/pom.xml" ]]; then
  exit 0
fi

echo "fetch.sh: downloading Apache Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIB_DIR" >&2
tmp="$KAFKA_LIB_DIR.tmp.$$"
rm -rf "$tmp"
mvn -q -B -Dstyle.color=never -f "$KAFKA_DEPLOY_DIR/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp"
rm -rf "$KAFKA_LIB_DIR"
mv "$tmp" "$KAFKA_LIB_DIR"
touch "$marker"
echo "fetch.sh: $(find "$KAFKA_LIB_DIR" -name '*.jar' | wc -l) jars ready" >&2
