#!/usr/bin/env bash
# Creates the benchmark virtualenv VENV with torch and PACKAGES (make bench-venv).
#
# PyPI has no CPU-only torch under any name, and its Linux x86-64 torch is a 3 GB download (2.5 GB
# of it CUDA libraries and triton, which a CPU benchmark never loads): a "+cpu" torch wheel for this
# Python in one of the WHEELS directories (pip's find-links by default) is installed instead when
# there is one. TORCH, when set, is what pip installs for torch, e.g.
#   TORCH="torch --extra-index-url https://download.pytorch.org/whl/cpu"
set -euo pipefail
: "${VENV:?}" "${PYTHON:=python3}" "${PACKAGES:=}" "${WHEELS:=}" "${TORCH:=}"

"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
torch=$TORCH
if [ -z "$torch" ]; then
    tag=$("$VENV/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
    torch=$(for directory in $WHEELS; do
                ls "$directory"/torch-*+cpu-"$tag"-"$tag"-*linux*_"$(uname -m)".whl 2>/dev/null || true
            done | sort -V | tail -n 1)
    if [ -z "$torch" ]; then
        torch=torch
        echo "no CPU-only torch wheel in WHEELS='$WHEELS': installing PyPI's torch (with CUDA libraries)"
    fi
fi
echo "$VENV/bin/pip install -q $torch $PACKAGES"
set -f  # torch and PACKAGES are split into words, and extras such as gymnasium[mujoco] are no globs
# shellcheck disable=SC2086  # torch and PACKAGES are lists of pip arguments
"$VENV/bin/pip" install -q $torch $PACKAGES
