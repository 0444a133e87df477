#!/usr/bin/env bash
# Idempotent dev bootstrap: .venv + editable install (only when pyproject.toml changed) and the
# Debian font packages the renderer/benchmarks need. Safe to run on every `make` invocation.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.stamp"
FONT_PKGS=(fonts-wqy-zenhei fonts-noto-cjk fonts-ocr-b fonts-dejavu-core unicode-data)

if [ ! -x "$VENV/bin/python" ]; then
    PY="$(command -v python3.11 || command -v python3 || true)"
    if [ -z "$PY" ]; then
        echo "bootstrap: python3.11 / python3 not found" >&2
        exit 1
    fi
    echo "bootstrap: creating $VENV with $PY"
    "$PY" -m venv "$VENV"
fi

if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "bootstrap: installing cardocr[dev] into $VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
    touch "$STAMP"
fi

missing=()
if command -v dpkg >/dev/null 2>&1; then
    for pkg in "${FONT_PKGS[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
fi
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bootstrap: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
        echo "bootstrap: missing Debian packages (${missing[*]}); not root, skipping." >&2
        echo "bootstrap: run: sudo apt-get install -y ${missing[*]}" >&2
    fi
fi
