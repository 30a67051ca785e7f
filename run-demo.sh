#!/usr/bin/env bash
# One command to see piimask work: Python env, local Kafka broker, two workers,
# synthetic traffic, original vs masked side by side, audit summary. Cleans up on exit.
#
# Needs Python 3.11+, Java 17+ and Maven (the broker's jars are fetched with Maven).
# Options are passed to `piimask demo run` (e.g. ./run-demo.sh --count 1000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nrun-demo.sh: ERROR: %s\n' "$*" >&2; exit 1; }

started_broker=0
start_time=$SECONDS
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((started_broker)); then
    step "stopping the broker this script started"
    deploy/kafka/stop.sh || true
  fi
  if ((rc == 0)); then
    printf '\nrun-demo.sh: success (%ss)\n' "$((SECONDS - start_time))"
  else
    printf '\nrun-demo.sh: FAILED (exit %s) after %ss\n' "$rc" "$((SECONDS - start_time))" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "checking prerequisites"
python_bin="${PYTHON:-}"
if [[ -z "$python_bin" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null; then python_bin="$candidate"; break; fi
  done
fi
[[ -n "$python_bin" ]] || fail "Python 3.11+ not found (set PYTHON=/path/to/python3.11)"
"$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "$python_bin is $("$python_bin" -V 2>&1); piimask needs Python 3.11+"
echo "python: $("$python_bin" -V 2>&1)"

step "Python environment (.venv)"
if [[ ! -x .venv/bin/python ]]; then
  echo "creating .venv"
  "$python_bin" -m venv .venv || fail "could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)"
fi
# Reinstall only when pyproject.toml changed since the last install by this script.
marker=.venv/.run-demo-installed
if [[ ! -f "$marker" || pyproject.toml -nt "$marker" ]] || ! .venv/bin/python -c 'import piimask' 2>/dev/null; then
  echo "installing piimask and its dependencies into .venv (first run: a few minutes of downloads)"
  .venv/bin/python -m pip install --disable-pip-version-check -q -e . || fail "pip install -e . failed"
  touch "$marker"
else
  echo "piimask already installed in .venv"
fi

step "Kafka broker"
# shellcheck source=deploy/kafka/env.sh
source deploy/kafka/env.sh
if kafka_port_open "$KAFKA_PORT"; then
  echo "a broker already listens on $KAFKA_BOOTSTRAP; using it (it will be left running)"
else
  command -v java >/dev/null || fail "java not found (Java 17+ is needed for the local broker)"
  command -v mvn >/dev/null || [[ -n "${PIIMASK_KAFKA_HOME:-}" ]] \
    || fail "mvn not found (Maven fetches the broker's jars; or set PIIMASK_KAFKA_HOME)"
  # Stop on exit only a broker this run started: start.sh may find one another
  # session started a moment ago, and that one is not ours to stop.
  start_log="$(mktemp)"
  deploy/kafka/start.sh 2>&1 | tee "$start_log" >&2 \
    || fail "the local broker did not start (see deploy/kafka/run/kafka.log)"
  grep -q "started broker (pid" "$start_log" && started_broker=1
  rm -f "$start_log"
  deploy/kafka/wait.sh 180 || fail "the local broker did not answer"
fi

step "demo: topics, keys, workers, traffic, results"
.venv/bin/python -m piimask demo run --bootstrap "$KAFKA_BOOTSTRAP" "$@"
