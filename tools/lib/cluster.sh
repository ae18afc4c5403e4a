# Throwaway PostgreSQL clusters for tests, benchmarks and the demo.
# Source it, then:
#   pgroot_install            build + install pg_webhook into a private copy of
#                             the PG installation ($PGW_ROOT, default build/pgroot)
#   cluster_create NAME [setting=value ...]
#                             initdb + start, with shared_preload_libraries=pg_webhook;
#                             exports PGHOST PGPORT PGUSER PGDATABASE PGW_DATA PGW_LOG
#   cluster_stop / cluster_start / cluster_restart / cluster_destroy
#   cluster_crashes           prints crash lines of the server log (empty: none)
# With PGW_ROOT=/ the system installation is used (the demo installs there).
# Clusters listen on a private unix socket only, so worktrees never collide.

PGW_REPO=${PGW_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PGW_ROOT=${PGW_ROOT:-$PGW_REPO/build/pgroot}
PGW_PGVERSION=${PGW_PGVERSION:-15}
PGW_BIN=$PGW_ROOT/usr/lib/postgresql/$PGW_PGVERSION/bin
[ "$PGW_ROOT" = / ] && PGW_BIN=/usr/lib/postgresql/$PGW_PGVERSION/bin

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgroot_install() {
    if [ "$PGW_ROOT" != / ]; then
        local lib=$PGW_ROOT/usr/lib/postgresql share=$PGW_ROOT/usr/share/postgresql
        # A fresh copy when the system installation changed (new packages).
        if [ ! -x "$PGW_BIN/postgres" ] ||
           [ /usr/lib/postgresql/$PGW_PGVERSION/bin/postgres -nt "$PGW_BIN/postgres" ] ||
           [ /usr/share/postgresql/$PGW_PGVERSION/extension -nt "$PGW_ROOT/.copied" ]; then
            rm -rf "$PGW_ROOT"
            mkdir -p "$lib" "$share"
            cp -a /usr/lib/postgresql/$PGW_PGVERSION "$lib/"
            cp -a /usr/share/postgresql/$PGW_PGVERSION "$share/"
            touch "$PGW_ROOT/.copied"
        fi
        chmod 755 "$PGW_ROOT"
    fi
    make -C "$PGW_REPO" -s WERROR=${WERROR:-1} -j2 >/dev/null
    if [ "$PGW_ROOT" = / ]; then
        make -C "$PGW_REPO" -s install >/dev/null
    else
        make -C "$PGW_REPO" -s install DESTDIR="$PGW_ROOT" >/dev/null
    fi
}

cluster_create() {
    local name=$1
    shift
    PGW_CLUSTER_DIR=$(mktemp -d "/tmp/pgw-$name.XXXXXX")
    chmod 755 "$PGW_CLUSTER_DIR"
    export PGW_DATA=$PGW_CLUSTER_DIR/data PGW_LOG=$PGW_CLUSTER_DIR/server.log
    export PGHOST=$PGW_CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
    chown postgres "$PGW_CLUSTER_DIR" 2>/dev/null || true
    as_postgres "$PGW_BIN/initdb" -D "$PGW_DATA" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$PGW_CLUSTER_DIR/initdb.log" 2>&1 ||
        { cat "$PGW_CLUSTER_DIR/initdb.log"; return 1; }
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PGW_CLUSTER_DIR'"
        echo "shared_preload_libraries = 'pg_webhook'"
        echo "max_connections = 50"
        echo "fsync = off"
        echo "log_min_messages = info"
        local setting
        for setting in "$@"; do echo "$setting"; done
    } >>"$PGW_DATA/postgresql.conf"
    cluster_start
}

cluster_start() {
    as_postgres "$PGW_BIN/pg_ctl" -D "$PGW_DATA" -l "$PGW_LOG" -w -t 60 start >/dev/null
}

cluster_stop() {
    as_postgres "$PGW_BIN/pg_ctl" -D "$PGW_DATA" -m "${1:-fast}" -w -t 60 stop >/dev/null
}

cluster_restart() {
    as_postgres "$PGW_BIN/pg_ctl" -D "$PGW_DATA" -l "$PGW_LOG" -m "${1:-fast}" -w -t 60 restart >/dev/null
}

cluster_destroy() {
    [ -n "${PGW_DATA:-}" ] || return 0
    as_postgres "$PGW_BIN/pg_ctl" -D "$PGW_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGW_CLUSTER_DIR"
}

# Lines of the server log that show a backend or worker crashed.
cluster_crashes() {
    grep -E "terminated by signal|was terminated by exception|server process .* exited with exit code [^01]|PANIC" \
        "$PGW_LOG" 2>/dev/null || true
}
