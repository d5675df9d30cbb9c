#!/usr/bin/env bash
# Smoke test of the scale-out recipe on one machine: two replicas behind nginx (apt-get install nginx).
#   deploy/smoke.sh      (from the repository root, after `python -m ingest build`)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/serve-replicas.sh 2 8101 & replicas=$!
mkdir -p deploy/cache
nginx -c "$PWD/deploy/nginx.conf" -p "$PWD/deploy"
trap 'nginx -c "$PWD/deploy/nginx.conf" -p "$PWD/deploy" -s stop; kill $replicas; rm -rf deploy/cache deploy/*-temp deploy/nginx*' EXIT
up=""
for _ in $(seq 100); do
    curl -sf localhost:8101/-/versions.json >/dev/null && curl -sf localhost:8102/-/versions.json >/dev/null && up=1 && break
    sleep 0.2
done
[ -n "$up" ] || { echo "the replicas did not start (is datasette on PATH?)" >&2; exit 1; }
for path in / "/search?q=bjork" /artist/bjork /artist/bjork.csv "/datasets/tracks.json?_size=1"; do
    first=$(curl -s -o /dev/null -w "%{http_code} %header{x-cache}" "localhost:8080$path")
    again=$(curl -s -o /dev/null -w "%{http_code} %header{x-cache}" "localhost:8080$path")
    echo "$path: $first, then $again"
done
