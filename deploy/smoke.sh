#!/usr/bin/env bash
# Smoke test of the scale-out recipe on one machine: two replicas (deploy/serve-replicas.sh) behind nginx
# (deploy/nginx.conf), on free ports. Needs nginx and curl (Debian: apt-get install nginx curl).
#   deploy/smoke.sh [configuration directory]     (the repository root by default, after `python -m ingest build`)
# Everything it writes (nginx's cache, logs, pid and temporary files, its copy of nginx.conf with the free ports)
# goes to a temporary directory that it removes, and it stops everything it started, also when a check fails or
# it is interrupted. Exits 0 when every check passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
directory="$(cd "${1:-$root}" && pwd)"
nginx="${NGINX:-nginx}"
work="$(mktemp -d)"
chmod 755 "$work"  # nginx's workers (nobody, when it is started as root) read and write its cache there
replicas=""
nginx_pid=""

stop() {  # signal a process, wait up to 10 s for it to go, then kill it
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    set +e
    [ -n "$nginx_pid" ] && stop "$nginx_pid"
    [ -n "$replicas" ] && stop "$replicas" && wait "$replicas" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAILED: $*" >&2; exit 1; }

command -v "$nginx" >/dev/null || fail "nginx is not installed (apt-get install nginx)"
command -v curl >/dev/null || fail "curl is not installed (apt-get install curl)"
[ -f "$directory/datasets.db" ] || fail "no datasets.db in $directory: build first (python -m ingest build)"

# two consecutive free ports for the replicas, one for nginx and one for its inner (compressing) server
read -r first front inner < <(python3 - <<'PY'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
while True:
    first, front, inner = (random.randrange(20000, 60000) for _ in range(3))
    if free(first) and free(first + 1) and len({first, first + 1, front, inner}) == 4 and free(front) and free(inner):
        print(first, front, inner)
        break
PY
)
sed -e "s/127\.0\.0\.1:8101;/127.0.0.1:$first;/" -e "s/127\.0\.0\.1:8102;/127.0.0.1:$((first + 1));/" \
    -e "s/listen 127\.0\.0\.1:8080;/listen 127.0.0.1:$front;/" -e "s/127\.0\.0\.1:8100;/127.0.0.1:$inner;/" \
    "$root/deploy/nginx.conf" > "$work/nginx.conf"
grep -q "127.0.0.1:$((first + 1));" "$work/nginx.conf" && grep -q "listen 127.0.0.1:$front;" "$work/nginx.conf" \
    && [ "$(grep -c "127.0.0.1:$inner;" "$work/nginx.conf")" = 2 ] \
    || fail "deploy/nginx.conf no longer has the ports (8101, 8102, 8080, 8100) this script moves to free ones"

"$root/deploy/serve-replicas.sh" 2 "$first" "$directory" > "$work/replicas.log" 2>&1 &
replicas=$!
echo "replicas: pid $replicas, ports $first-$((first + 1))"
up=""
for _ in $(seq 300); do
    kill -0 "$replicas" 2>/dev/null || break
    curl -sf "127.0.0.1:$first/-/versions.json" >/dev/null && curl -sf "127.0.0.1:$((first + 1))/-/versions.json" \
        >/dev/null && up=1 && break
    sleep 0.1
done
[ -n "$up" ] || fail "the replicas did not start: $(tail -5 "$work/replicas.log")"
"$nginx" -c "$work/nginx.conf" -p "$work/" -e "$work/startup.log" || fail "nginx did not start: $(cat "$work/startup.log")"
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
nginx_pid="$(cat "$work/nginx.pid")"
echo "nginx: pid $nginx_pid, port $front"

# what to ask for: the build's biggest artist
read -r key word < <(python3 -c "
import sqlite3, sys
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
key, name = db.execute('select key, name from artists order by tracks desc limit 1').fetchone()
print(key, name.split()[0])" "$directory/datasets.db")

checks=0
get() {  # path → "status x-cache"
    curl -s -o "$work/body" -w "%{http_code} %header{x-cache}" "127.0.0.1:$front$1"
}
for path in / "/search?q=$word" "/artist/$key" "/datasets/tracks?_search=$word" "/datasets/tracks?_facet=dataset" \
            "/datasets/tracks.json?_size=1" "/artist/$key.csv" "/datasets/tracks.csv?_search=$word&_stream=on" \
            "/datasets/tracks.json?_search=$word&_stream=on"; do
    first_answer=$(get "$path")
    cp "$work/body" "$work/first"
    again=$(get "$path")
    echo "$path: $first_answer, then $again"
    [ "$first_answer" = "200 MISS" ] && [ "$again" = "200 HIT" ] || fail "$path: expected 200 MISS, then 200 HIT"
    cmp -s "$work/first" "$work/body" || fail "$path: the cache answered something else than the replica"
    ! tail -c 300 "$work/body" | grep -q "Export stopped" || fail "$path: the export stopped early"
    checks=$((checks + 1))
done
# a client that takes gzip gets a cached answer gzipped as the cache holds it; one that does not, unzipped
for path in "/search?q=$word" "/datasets/tracks.csv?_search=$word&_stream=on"; do
    curl -s -o "$work/plain" "127.0.0.1:$front$path"
    answer=$(curl -s --compressed -o "$work/body" -w "%{http_code} %header{x-cache} %header{content-encoding}" \
             "127.0.0.1:$front$path")
    echo "$path, taking gzip: $answer"
    [ "$answer" = "200 HIT gzip" ] || fail "$path: expected 200 HIT gzip"
    cmp -s "$work/plain" "$work/body" || fail "$path: the gzipped answer differs from the plain one"
    checks=$((checks + 1))
done
printf 'artist,title\n%s,%s\n' "$word" "$word" > "$work/catalogue.csv"
answer=$(curl -s -o "$work/body" -w "%{http_code} %header{x-cache}" -F "file=@$work/catalogue.csv;type=text/csv" \
         "127.0.0.1:$front/check")
echo "POST /check (an upload): $answer"
[ "${answer%% *}" = "200" ] && grep -q "$word" "$work/body" || fail "the catalogue check did not answer through nginx"
checks=$((checks + 1))
echo "smoke test passed: $checks checks"
