#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the registry tests and print its connection string.
# Usage: eval "$(.ci/pg.sh start DIR)"  -> exports GIAYTO_TEST_POSTGRES
#        .ci/pg.sh stop DIR
# PG_FSYNC=on starts it with fsync on, as a real server runs (the batch bench with
# GIAYTO_BATCH_POSTGRES); the tests' server skips fsync. PG_OPTS adds server settings, e.g.
# PG_OPTS='-c shared_buffers=1GB' (the bench's deployment-sized run).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 2
fi
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
port=${PGPORT_TEST:-54329}
case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U giayto --no-sync >"$dir/initdb.log" 2>&1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses='' -c fsync=${PG_FSYNC:-off} ${PG_OPTS:-}" start >/dev/null
    as_pg "$bin/createdb" -h "$dir" -p "$port" -U giayto giayto_test
    echo "export GIAYTO_TEST_POSTGRES='host=$dir port=$port user=giayto dbname=giayto_test'"
    ;;
stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
esac
