#!/usr/bin/env bash
# Run the CareLens demo end to end on synthetic data (embedded DuckDB, no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
uv run --frozen carelens demo "$@"
