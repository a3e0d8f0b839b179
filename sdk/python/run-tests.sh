#!/usr/bin/env bash
# The Python SDK's tests, against a real Lodestar server that they start themselves
# (target/release/lodestar, or $LODESTAR_BIN). Run from anywhere; `make test` calls it.
# Arguments go to pytest, except a lone `--install-only`.
#
# The venv lives at ${LODESTAR_TOOLS_DIR:-$HOME/.cache/lodestar-tools}/venv and is created,
# and pytest and the SDK (editable) installed into it, only when missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
tools=${LODESTAR_TOOLS_DIR:-$HOME/.cache/lodestar-tools}
venv=$tools/venv
py=$venv/bin/python
pytest_version=8.4.2

if [ ! -x "$py" ]; then
  echo "==> python3 -m venv $venv"
  mkdir -p "$tools"
  python3 -m venv "$venv"
fi
if ! "$py" -c "import pytest, sys; sys.exit(pytest.__version__ != '$pytest_version')" 2>/dev/null; then
  echo "==> pip install pytest==$pytest_version"
  "$py" -m pip install --quiet --disable-pip-version-check "pytest==$pytest_version"
fi
# The official Sentry SDK, for the test that points it at Lodestar (the version the golden
# envelopes in app/tests/fixtures/sentry were captured from).
sentry_sdk_version=2.75.0
if ! "$py" -c "import sentry_sdk, sys; sys.exit(sentry_sdk.VERSION != '$sentry_sdk_version')" 2>/dev/null; then
  echo "==> pip install sentry-sdk==$sentry_sdk_version"
  "$py" -m pip install --quiet --disable-pip-version-check "sentry-sdk==$sentry_sdk_version"
fi
# Editable, from this checkout: another checkout's install would test other code.
if ! "$py" - "$repo/sdk/python/src" <<'PY' 2>/dev/null
import pathlib, sys
import lodestar
source = pathlib.Path(sys.argv[1]).resolve()
installed = pathlib.Path(lodestar.__file__).resolve()
script = pathlib.Path(sys.executable).parent / "lodestar"
sys.exit(0 if source in installed.parents and script.exists() else 1)
PY
then
  echo "==> pip install -e sdk/python"
  "$py" -m pip install --quiet --disable-pip-version-check -e sdk/python
fi

# `--install-only`: just the venv with the SDK and its `lodestar` CLI (the Playwright journeys
# drive the CLI).
if [ "${1:-}" = "--install-only" ]; then
  exit 0
fi

# pytest exits 5 when it collects no test: set -e makes that a failure too.
exec "$py" -m pytest sdk/python/tests -q "$@"
