#!/usr/bin/env bash
# Idempotent dev bootstrap: .venv + editable install (only when pyproject.toml changed), the
# Debian packages (fonts for the renderer and benchmarks, chromium for the console's browser
# tests) and the console's Alpine.js. Safe to run on every `make` invocation.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.stamp"
DEB_PKGS=(fonts-wqy-zenhei fonts-noto-cjk fonts-ocr-b fonts-dejavu-core unicode-data chromium)
# the console's one framework: a pinned npm tarball, checked against its registry integrity
ALPINE=alpinejs@3.17.5
ALPINE_SHA512=XewMqRC6zjy8iaUPn86dxjvooAsNai3hUtQbdn0A5H2w7Jt10xHGZ1SczN5+Dvp3UKkuSEt9moy/UaUWOwKdnQ==
ALPINE_OUT=src/cardocr/console/static/vendor

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
    # Venvs made before 2026-12-06 also hold rapidocr-onnxruntime and the GUI OpenCV build it
    # pulled in. Both OpenCV wheels write cv2/, so uninstalling the GUI build deletes files the
    # headless build needs: it is installed again (same version) right after.
    if "$VENV/bin/python" -m pip show --quiet opencv-python >/dev/null 2>&1 \
        || "$VENV/bin/python" -m pip show --quiet rapidocr-onnxruntime >/dev/null 2>&1; then
        echo "bootstrap: removing rapidocr-onnxruntime and opencv-python (one model wheel, one OpenCV)"
        headless="$(grep -o 'opencv-python-headless==[0-9.]*' pyproject.toml)"  # the pinned build
        "$VENV/bin/python" -m pip uninstall --quiet -y rapidocr-onnxruntime opencv-python
        "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$headless"
    fi
    touch "$STAMP"
fi

missing=()
if command -v dpkg >/dev/null 2>&1; then
    for pkg in "${DEB_PKGS[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
fi
# npm only to fetch Alpine.js once (below), in the same apt-get run as the rest
if [ ! -f "$ALPINE_OUT/$ALPINE.stamp" ] && ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
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

# Alpine.js into the package (src/cardocr/console/static/vendor/, not in git): `npm pack` fetches
# the pinned tarball; it is unpacked only if its SHA-512 is the one pinned above.
if [ ! -f "$ALPINE_OUT/$ALPINE.stamp" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "bootstrap: npm is needed once to fetch $ALPINE for the console" >&2
        exit 1
    fi
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    tgz="$(cd "$tmp" && npm pack --silent "$ALPINE")"
    got="$(openssl dgst -sha512 -binary "$tmp/$tgz" | base64 -w0)"
    if [ "$got" != "$ALPINE_SHA512" ]; then
        echo "bootstrap: $tgz does not match its pinned sha512; refusing it" >&2
        exit 1
    fi
    tar -xzf "$tmp/$tgz" -C "$tmp" package/dist/cdn.min.js package/package.json
    mkdir -p "$ALPINE_OUT"
    cp "$tmp/package/dist/cdn.min.js" "$ALPINE_OUT/alpine.min.js"
    cp "$tmp/package/package.json" "$ALPINE_OUT/alpine.package.json"  # its version and MIT licence
    rm -f "$ALPINE_OUT"/*.stamp
    touch "$ALPINE_OUT/$ALPINE.stamp"
    echo "bootstrap: $ALPINE unpacked into $ALPINE_OUT"
fi
