#!/usr/bin/env bash
# The test run: lint, types, then pytest on SQLite and PostgreSQL (127.0.0.1:5432, database `test`).
# PostgreSQL is required: when it is unreachable the storage tests fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false ANONYMIZED_TELEMETRY=False
export LAYER8_TEST_POSTGRES_URL="${LAYER8_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export LAYER8_TEST_REDIS_URL="${LAYER8_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

# Browser tests drive Debian's Chromium (never a browser download of Playwright's own).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is missing: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi

$BIN/ruff check .
$BIN/ruff format --check .
PYTHONPATH=. $BIN/lint-imports  # the layer contract in pyproject.toml (packages imported from this checkout)
$BIN/python scripts/import_report.py >/dev/null  # no package cycle; every import inside a function says why
$BIN/mypy cli composition seeding assistant retrieval tools channels evals network ossbss
$BIN/pytest -q "$@"
