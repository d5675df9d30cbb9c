#!/usr/bin/env bash
# Serve N identical read-only replicas of the publication on consecutive ports, for a load balancer.
#   deploy/serve-replicas.sh [N] [first port] [configuration directory]
# The directory (the repository root by default, after `python -m ingest build`) holds datasets.db and
# inspect-data.json beside the configuration. The database is immutable, so replicas share nothing and any number
# can run, on one machine or many (copy datasets.db, inspect-data.json and the configuration to each).
# Stopping this script (Ctrl-C, TERM) stops its replicas.
set -euo pipefail
replicas="${1:-2}"
port="${2:-8101}"
directory="${3:-$(dirname "$0")/..}"
[ -f "$directory/datasets.db" ] && [ -f "$directory/inspect-data.json" ] || {
    echo "no datasets.db and inspect-data.json in $directory: build first (python -m ingest build)" >&2; exit 1; }
pids=()
stop() { kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; }
trap stop EXIT
trap 'exit 143' INT TERM
for ((i = 0; i < replicas; i++)); do
    datasette "$directory" -h 127.0.0.1 -p $((port + i)) &
    pids+=($!)
done
wait
