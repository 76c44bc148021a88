#!/usr/bin/env bash
# Shared setup for the two README commands: installs uv (via pip) and the project's
# locked dependencies. Safe to run repeatedly; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
# --compile-bytecode: compile the installed packages once, as pip does (uv does not by default). Without it
# a process compiles whatever it imports, pandas alone 0.7 s, whenever Python may not keep the bytecode
# (PYTHONDONTWRITEBYTECODE, a read-only install): a cold start of the engine pays about a second for it.
uv sync --quiet --frozen --compile-bytecode
