#!/usr/bin/env bash
# Run every test. Installs what the tests need first:
#  - the project and its test dependencies (uv, from PyPI)
#  - the sector's reference DfE validators (by ../shared/tools/peer-validate, from PyPI), when
#    the shared tools are present beside this checkout
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
uv run --frozen pytest -q -n 2 "$@"
