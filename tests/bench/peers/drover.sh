#!/usr/bin/env bash
# Adapter for ../shared/peers/bench_supervisor.py (the contract is in the peers' README):
# droverd runs the N programs `p%04d` = `/bin/sleep $((PEERS_BASE+i))`, each a pool of one
# that restarts at once (backoff initial 0). Until droverctl exists, `status` reads the
# state dir: a worker record exists while its process runs.
# stop-all scales every pool to 0 by a config reload (SIGHUP).
# Env: PEERS_WORK PEERS_N PEERS_BASE; DROVER_BIN_DIR (default: build/bin of this checkout).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${DROVER_BIN_DIR:-$here/../../../build/bin}
W="$PEERS_WORK"
CONF="$W/drover.yaml"
STATE="$W/state"

write_config() { # $1: replicas per pool
  {
    printf 'version: 1\nmaster: {state_dir: %s}\npools:\n' "$STATE"
    for ((i = 0; i < PEERS_N; i++)); do
      printf '  - {name: p%04d, command: [/bin/sleep, "%d"], replicas: %d,\n' "$i" "$((PEERS_BASE + i))" "$1"
      printf '     restart: {policy: always, backoff: {initial: 0ms, jitter: 0}, max_restarts: 1000}}\n'
    done
  } >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}

status() { # [NAME]: "name pid RUNNING" for each worker record. droverd removes a record
  # when its process exits, so a record is a running worker. grep and sed, not a script
  # interpreter: the harness calls this every 10 ms while it measures start-up.
  local glob="$STATE/workers/${1:-p*}-0.json"
  # shellcheck disable=SC2086
  grep -Ho '"pid":[0-9]*' $glob 2>/dev/null |
    sed -E 's#^.*/(p[0-9]+)-0\.json:"pid":([0-9]+)$#\1 \2 RUNNING#'
}

daemon_pid() { cat "$W/droverd.pid" 2>/dev/null; }

case "${1:-}" in
  version) "$bin/droverd" --version | tr ' ' '-' ;;
  prepare) write_config 1 ;;
  start)
    "$bin/droverd" --config "$CONF" --log-level warn </dev/null >"$W/droverd.out" 2>&1 &
    echo $! >"$W/droverd.pid"
    ;;
  daemon-pid) daemon_pid ;;
  status) status ;;
  status-one) status "$2" ;;
  stop-all)
    write_config 0
    kill -HUP "$(daemon_pid)"
    for ((i = 0; i < 3000; i++)); do
      [[ -z $(ls -A "$STATE/workers" 2>/dev/null) ]] && break
      sleep 0.01
    done
    ;;
  shutdown)
    pid=$(daemon_pid)
    if [[ -n $pid ]]; then
      kill -TERM "$pid" 2>/dev/null
      for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  *) echo "usage: $0 version|prepare|start|daemon-pid|status|status-one NAME|stop-all|shutdown" >&2; exit 2 ;;
esac
