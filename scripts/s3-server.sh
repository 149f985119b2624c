#!/usr/bin/env bash
# s3-server.sh - a real S3 server for dedupfs's tests and CI: single-node OpenStack Swift from
# Debian's packages with its s3api and tempauth middlewares, on 127.0.0.1 only.
#
#   eval "$(scripts/s3-server.sh start)"   install if missing, start what is not running, wait
#                                          until a signed S3 request answers, print exports
#   scripts/s3-server.sh stop [SERVICE]    stop everything (or one of: proxy object container
#                                          account memcached), by the pids this script recorded
#   scripts/s3-server.sh purge             stop and delete all state
#
# State (configs, rings, objects, logs, pids) lives in $DEDUPFS_S3_SERVER_DIR, default
# ${TMPDIR:-/tmp}/dedupfs-s3-server. `start` only starts the services that are not running, so a
# test can stop the proxy to play a dead server and start it again. Credentials are fixed test
# values: access key test:tester, secret testing, region us-east-1. openssl is installed too:
# the TLS tests make their certificates with it.
set -euo pipefail

DIR=${DEDUPFS_S3_SERVER_DIR:-${TMPDIR:-/tmp}/dedupfs-s3-server}
PORT=${DEDUPFS_S3_SERVER_PORT:-9000}          # the S3 endpoint (Swift proxy)
BASE=$((PORT - 2800))                          # object, container, account: 6200, 6201, 6202
MCPORT=$((PORT + 2311))                        # memcached: 11311
ACCESS_KEY=test:tester SECRET=testing REGION=us-east-1
ETC=$DIR/etc RUN=$DIR/run LOG=$DIR/log DATA=$DIR/data
SERVICES="memcached account container object proxy"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

program() { [ "$1" = memcached ] && echo memcached || echo "swift-$1-server"; }

# running NAME: its recorded pid is alive and still runs our program (no pid reuse).
running() {
  local pid cmd
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) && [[ $cmd == *"$(program "$1")"* ]]
}

# group_left PGID: some process of that process group is still alive (not a zombie).
group_left() {
  local f line st pg
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null < "$f" || continue
    read -r st _ pg _ <<< "${line##*) }"
    [ "$pg" = "$1" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

stop_one() {
  local pid
  if running "$1"; then
    pid=$(cat "$RUN/$1.pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do group_left "$pid" || break; sleep 0.1; done
    group_left "$pid" && kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$RUN/$1.pid"
}

install_packages() {
  local p missing=""
  for p in swift swift-proxy swift-object swift-container swift-account memcached curl openssl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "s3-server: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
}

# Swift reads its hash salt and storage policies from the fixed path /etc/swift/swift.conf.
swift_conf() {
  grep -Eq '^swift_hash_path_(suffix|prefix) *= *[^ ]' /etc/swift/swift.conf 2>/dev/null && return 0
  mkdir -p /etc/swift
  printf '[swift-hash]\nswift_hash_path_suffix = dedupfs\nswift_hash_path_prefix = dedupfs\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' > /etc/swift/swift.conf
}

write_configs() {
  mkdir -p "$ETC" "$RUN" "$LOG" "$DATA/d1" "$DIR/cache"
  local s port
  for s in object container account; do
    case $s in object) port=$BASE;; container) port=$((BASE + 1));; account) port=$((BASE + 2));; esac
    { server_defaults "$port" 0
      printf '\n[pipeline:main]\npipeline = healthcheck %s-server\n\n[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n[app:%s-server]\nuse = egg:swift#%s\n' "$s" "$s" "$s"
    } > "$ETC/$s-server.conf"
  done
  # The proxy: S3 API (s3api) with fixed test credentials (tempauth). One worker is fastest on
  # two cores. max_bucket_listing 1000 as on AWS, so listings of more keys are paginated.
  { server_defaults "$PORT" 1; cat <<CONF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy_logging cache listing_formats bulk s3api tempauth copy slo dlo proxy_logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
use = egg:swift#s3api
location = $REGION
max_bucket_listing = 1000
max_multi_delete_objects = 1000

[filter:tempauth]
use = egg:swift#tempauth
user_${ACCESS_KEY%%:*}_${ACCESS_KEY#*:} = $SECRET .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MCPORT

CONF
    for f in catch_errors gatekeeper healthcheck proxy_logging listing_formats bulk copy slo dlo; do
      printf '\n[filter:%s]\nuse = egg:swift#%s\n' "$f" "$f"
    done
  } > "$ETC/proxy-server.conf"
}

server_defaults() {  # port, workers
  printf '[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %s\nworkers = %s\nuser = root\nswift_dir = %s\ndevices = %s\nmount_check = false\ndisable_fallocate = true\nfallocate_reserve = 0\nrecon_cache_path = %s\nlog_level = WARNING\n' \
    "$1" "$2" "$ETC" "$DATA" "$DIR/cache"
}

# One replica, one device, 2^8 partitions; rebuilt only when the ports change.
build_rings() {
  /usr/bin/python3 - "$ETC" "$BASE" <<'PY'
import os, sys
from swift.common.ring import RingBuilder
etc, base = sys.argv[1], int(sys.argv[2])
for name, port in (('object', base), ('container', base + 1), ('account', base + 2)):
    ring, stamp = os.path.join(etc, name + '.ring.gz'), os.path.join(etc, name + '.port')
    if os.path.exists(ring) and os.path.exists(stamp) and open(stamp).read() == str(port):
        continue
    b = RingBuilder(8, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1',
               'weight': 100, 'meta': '', 'replication_ip': '127.0.0.1', 'replication_port': port})
    b.rebalance()
    b.get_ring().save(ring)
    open(stamp, 'w').write(str(port))
PY
}

# Each service runs as the leader of its own session, so stop can signal its whole group.
start_one() {
  local cmd
  if [ "$1" = memcached ]; then cmd=(memcached -l 127.0.0.1 -p "$MCPORT" -U 0 -m 64 -u root)
  else cmd=("/usr/bin/swift-$1-server" "$ETC/$1-server.conf"); fi
  rm -f "$RUN/$1.pid"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/$1.pid" "${cmd[@]}" </dev/null >>"$LOG/$1.log" 2>&1 &
}

# Ready: the storage servers answer their health checks and a SigV4-signed ListBuckets is 200
# (the access key's ':' is escaped in the URL, as curl's -u would split the key there).
ready() {
  local p
  for p in $BASE $((BASE + 1)) $((BASE + 2)); do
    curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$p/healthcheck" || return 1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 "aws:amz:$REGION:s3" \
       -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
       "http://${ACCESS_KEY/:/%3A}:$SECRET@127.0.0.1:$PORT/" 2>/dev/null)" = 200 ]
}

print_exports() {
  printf 'export DEDUPFS_TEST_S3=%q\n' "http://127.0.0.1:$PORT"
  printf 'export DEDUPFS_S3_SERVER_DIR=%q\n' "$DIR"
  printf 'export DEDUPFS_S3_SERVER_PORT=%q\n' "$PORT"   # so that a later stop or start finds this server
  printf 'export AWS_ACCESS_KEY_ID=%q\n' "$ACCESS_KEY"
  printf 'export AWS_SECRET_ACCESS_KEY=%q\n' "$SECRET"
  printf 'export AWS_REGION=%q\n' "$REGION"
}

start() {
  install_packages
  swift_conf
  write_configs
  build_rings
  local s
  for s in $SERVICES; do running "$s" || start_one "$s"; done
  for _ in $(seq 300); do
    ready && { print_exports; return 0; }
    for s in $SERVICES; do
      running "$s" || { echo "s3-server: $s exited; its log $LOG/$s.log ends:" >&2; tail -20 "$LOG/$s.log" >&2; return 1; }
    done
    sleep 0.2
  done
  echo "s3-server: no answer on 127.0.0.1:$PORT within 60 s; logs in $LOG" >&2
  return 1
}

case ${1:-} in
  start) start ;;
  stop)
    if [ -n "${2:-}" ]; then
      [[ " $SERVICES " == *" $2 "* ]] || { echo "s3-server: unknown service $2 (one of: $SERVICES)" >&2; exit 2; }
      stop_one "$2"
    else
      for s in proxy object container account memcached; do stop_one "$s"; done
    fi ;;
  purge) for s in proxy object container account memcached; do stop_one "$s"; done; rm -rf "$DIR" ;;
  *) echo "usage: $0 start | stop [SERVICE] | purge" >&2; exit 2 ;;
esac
