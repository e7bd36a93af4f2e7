#!/usr/bin/env bash
# Runs the official Azure Python clients against the emulator binary.
# Creates (or reuses) a virtual environment, installs the clients with pip, starts
# `azkv-emulator --port 0`, reads its ready line and runs pytest.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/azkv/target}"
venv="${AZKV_VENV:-$HOME/.cache/azkv/venv}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/interop/requirements.txt

# Built with the workspace's feature set, as the test run builds it, so nothing compiles twice.
cargo build --quiet --workspace --all-features --bins
work="$(mktemp -d)"
emulator_pid=""
http_pid=""
cleanup() {
  for pid in $emulator_pid $http_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

"$CARGO_TARGET_DIR/debug/azkv-emulator" --port 0 --vault second --vault third \
  --client interop-client=interop-secret \
  --client-cert interop-cert-app="$root/crates/azkv-identity/tests/data/rsa-cert.pem" \
  --ca-cert-out "$work/ca.pem" >"$work/ready.json" 2>"$work/emulator.log" &
emulator_pid=$!
# A second, plain-HTTP emulator: the managed identity endpoint (IMDS) is plain HTTP.
"$CARGO_TARGET_DIR/debug/azkv-emulator" --port 0 --http >"$work/http-ready.json" 2>/dev/null &
http_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/ready.json" ] && [ -s "$work/http-ready.json" ] && break
  sleep 0.1
done
if [ ! -s "$work/ready.json" ] || [ ! -s "$work/http-ready.json" ]; then
  echo "emulator did not become ready" >&2
  cat "$work/emulator.log" >&2
  exit 1
fi

export AZKV_EMULATOR_READY="$(head -n 1 "$work/ready.json")"
export AZKV_EMULATOR_HTTP_READY="$(head -n 1 "$work/http-ready.json")"
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/interop "$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "--- emulator log" >&2
  tail -n 50 "$work/emulator.log" >&2
fi
exit "$status"
