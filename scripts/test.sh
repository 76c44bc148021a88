#!/usr/bin/env bash
# Run every test (what CI runs). While developing, the fast lane leaves out the tests marked slow:
#   uv run --frozen pytest -q -n 2 -m "not slow"
# Installs what the tests need first:
#  - the project and its test dependencies (uv, from PyPI)
#  - a PostgreSQL server (Debian's postgresql package, with apt-get) for the database tests
#  - a Java runtime (Debian's default-jre-headless, with apt-get) for PySpark in local mode
#  - poppler-utils (pdftoppm, pdftotext) to render and read the report's PDF pages, and Debian's chromium for
#    the browser tests (Playwright drives it at /usr/bin/chromium; axe-core is vendored in tests/browser)
#  - the sector's reference DfE validators (by ../shared/tools/peer-validate, from PyPI), when
#    the shared tools are present beside this checkout
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# a real PostgreSQL server for the database tests (each test run starts its own throwaway server)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL (Debian package postgresql) for the database tests..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
# Java 17 or later for PySpark (Spark 4) in local mode: the scale-out engine's tests
if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  echo "Installing a Java runtime (Debian package default-jre-headless) for the Spark tests..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq default-jre-headless >/dev/null
fi
# the report's PDF pages rendered and read back, and a real browser for accessibility checks
missing=""
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  echo "Installing$missing (Debian packages) for the report and browser tests..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
uv run --frozen pytest -q -n 2 "$@"
# and the web app's suite once more with its own database on a real PostgreSQL server (as on a council's shared
# server), started by the tests themselves (tests/web/conftest.py) — when the whole suite was asked for
if [ "$#" -eq 0 ]; then
  echo "The web app's tests again, on PostgreSQL..."
  CARELENS_WEB_TESTS_ON=postgresql uv run --frozen pytest -q -n 2 tests/web
fi
