#!/usr/bin/env bash
# `make cluster`: the loopback cluster (Procfile.cluster) in the foreground under honcho; Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/cluster/env.sh
if [ "$CLUSTER_MODEL" != fake ] && ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
  echo "the embedded model needs llama-cpp-python: run 'make model' first, or: CLUSTER_MODEL=fake make cluster" >&2
  exit 2
fi
mkdir -p "$CLUSTER_HOME"
rm -f "$CLUSTER_HOME/ready"
if [ ! -f "$CLUSTER_HOME/console.secret" ]; then
  (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_hex(32))" > "$CLUSTER_HOME/console.secret")
fi
# -e /dev/null: the cluster's settings come from scripts/cluster/env.sh, not from a .env meant for `make run`
exec .venv/bin/honcho -f Procfile.cluster -d . -e /dev/null start "$@"  # names: only those processes
