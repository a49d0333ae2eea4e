#!/usr/bin/env bash
# Creates .venv from the committed, hashed pins (requirements-dev.txt) and puts the workspace's
# source folders on its path. Idempotent: does nothing when the pins have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
CACHE_DIR=${KINERJA_CACHE_DIR:-$HOME/.cache/kinerja-asn}
export UV_PYTHON_DOWNLOADS=never   # use this machine's Python 3.11; never fetch one

stamp=.venv/.kinerja-pins
want=$(cat requirements-dev.txt scripts/bootstrap.sh | sha256sum | awk '{print $1}')
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
  exit 0
fi

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$(command -v "$candidate"); break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "[bootstrap] error: missing prerequisite 'python3.11': install Python 3.11 (Debian: apt-get install -y python3.11 python3.11-venv)" >&2
  exit 1
fi

UV=$(command -v uv || true)
if [ -z "$UV" ] || [ "$("$UV" --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  UV="$CACHE_DIR/uv-$UV_VERSION/bin/uv"
  if [ ! -x "$UV" ]; then
    echo >&2 "[bootstrap] installing uv $UV_VERSION into $CACHE_DIR/uv-$UV_VERSION (once)"
    "$PYTHON" -m venv "$CACHE_DIR/uv-$UV_VERSION"
    "$CACHE_DIR/uv-$UV_VERSION/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
  fi
fi

echo >&2 "[bootstrap] creating .venv from requirements-dev.txt"
[ -x .venv/bin/python ] || "$UV" venv --quiet --python "$PYTHON" .venv
"$UV" pip sync --quiet --python .venv/bin/python --require-hashes requirements-dev.txt
# The workspace packages are plain source folders on the path (what an editable install does),
# so nothing is built and every installed file comes from the hashed pins.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
{
  echo "$PWD/shared/src"
  echo "$PWD/testing/src"
  for service in appraisal training notification reporting; do echo "$PWD/services/$service/src"; done
  echo "$PWD/webapp/src"
  echo "$PWD/demo/src"
} > "$site/kinerja-workspace.pth"
echo "$want" > "$stamp"
echo >&2 "[bootstrap] .venv ready"
