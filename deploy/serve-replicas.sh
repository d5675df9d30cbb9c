#!/usr/bin/env bash
# Serve N identical read-only replicas of the publication on consecutive ports, for a load balancer.
#   deploy/serve-replicas.sh [N] [first port]        (from the repository root, after `python -m ingest build`)
# The database is immutable (inspect-data.json beside it), so replicas share nothing and any number can run,
# on one machine or many (copy datasets.db, inspect-data.json and the configuration to each).
set -euo pipefail
cd "$(dirname "$0")/.."
replicas="${1:-2}"
port="${2:-8101}"
[ -f datasets.db ] && [ -f inspect-data.json ] || { echo "build first: python -m ingest build" >&2; exit 1; }
pids=()
for ((i = 0; i < replicas; i++)); do
    datasette . -h 127.0.0.1 -p $((port + i)) &
    pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT INT TERM
wait
