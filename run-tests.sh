#!/usr/bin/env bash
# The whole test suite, from a fresh clone: creates .venv, installs piimask with its
# dev tools, runs ruff and mypy, then every unit and integration test. Integration
# tests start the local Kafka broker from deploy/kafka (Java 17 + Maven needed) and
# use the real quantized model; they fail, never skip, when either is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n==> %s\n' "$*"; }

python_bin="${PYTHON:-}"
if [[ -z "$python_bin" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null; then python_bin="$candidate"; break; fi
  done
fi
[[ -n "$python_bin" ]] || { echo "run-tests.sh: Python 3.11+ not found" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  step "creating .venv"
  "$python_bin" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

step "installing piimask, dev tools and the train (torch) and plots (matplotlib) extras"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[dev,train,plots]"
python -m pip check

step "ruff"
ruff check piimask tests benchmarks
ruff format --check piimask tests benchmarks

step "mypy"
mypy piimask

step "documentation site (mkdocs --strict: broken links and missing generated pages fail)"
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet --site-dir "$(mktemp -d)"

step "model present"
python - <<'PY'
from piimask.detect.model import default_model_dir, find_onnx_file
path = find_onnx_file(default_model_dir())
print(f"model: {path} ({path.stat().st_size} bytes)")
PY

step "prometheus and promtool (the monitoring tests run deploy/prometheus/ on a real server)"
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "run-tests.sh: prometheus/promtool missing: install Debian's prometheus package" >&2
    exit 1
  fi
  # Install without starting the packaged service (tests start their own server), without
  # recommends (node exporter), retrying flaky mirrors; the package lists are refreshed once.
  policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt_opts=(-o Acquire::Retries=3 -o DPkg::Lock::Timeout=120 -qq)
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends \
    prometheus >/dev/null
  if [[ -n $policy ]]; then rm -f "$policy"; trap - EXIT; fi
fi
prometheus --version 2>&1 | head -1

step "broker jars"
deploy/kafka/fetch.sh

step "pytest (unit + integration)"
report=$(mktemp)
set +e
python -m pytest -p no:cacheprovider --junitxml="$report" "$@"
status=$?
set -e
skipped=$(python -c "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); s = r if r.tag == 'testsuite' else r.find('testsuite'); print(s.get('skipped', '0'))" "$report")
rm -f "$report"
if ((status != 0)); then
  exit "$status"
fi
if [[ "$skipped" != "0" ]]; then
  echo "run-tests.sh: $skipped test(s) skipped: nothing may skip (a missing broker or model is a failure)" >&2
  exit 1
fi
