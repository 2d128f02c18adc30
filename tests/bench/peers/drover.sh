#!/usr/bin/env bash
# Adapter for ../shared/peers/bench_supervisor.py (the contract is in the peers' README):
# droverd runs the N programs `p%04d` = `/bin/sleep $((PEERS_BASE+i))`, each a pool of one
# that restarts at once (backoff initial 0). `status` asks droverd through droverctl, as
# supervisorctl and `pm2 jlist` ask theirs.
# stop-all scales every pool to 0 by a config reload (SIGHUP) and waits until droverd has no
# child left.
# Env: PEERS_WORK PEERS_N PEERS_BASE; DROVER_BIN_DIR (default: build/bin of this checkout);
# DROVER_BENCH_LISTEN (default 127.0.0.1:17705), where droverd listens for droverctl.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${DROVER_BIN_DIR:-$here/../../../build/bin}
W="$PEERS_WORK"
CONF="$W/drover.yaml"
STATE="$W/state"
LISTEN=${DROVER_BENCH_LISTEN:-127.0.0.1:17705}

write_config() { # $1: replicas per pool
  {
    printf 'version: 1\nmaster: {state_dir: %s, listen: "%s"}\npools:\n' "$STATE" "$LISTEN"
    for ((i = 0; i < PEERS_N; i++)); do
      printf '  - {name: p%04d, command: [/bin/sleep, "%d"], replicas: %d,\n' "$i" "$((PEERS_BASE + i))" "$1"
      printf '     restart: {policy: always, backoff: {initial: 0ms, jitter: 0}, max_restarts: 1000}}\n'
    done
  } >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}

status() { # [NAME]: "name pid STATE" per program; RUNNING while it has a process
  "$bin/droverctl" --master "ws://$LISTEN" workers 2>/dev/null |
    awk -v only="${1:-}" 'NR > 1 && (only == "" || $2 == only) {
      print $2, $4, ($3 == "running" || $3 == "ready") ? "RUNNING" : toupper($3) }'
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
      [[ -z $(pgrep -P "$(daemon_pid)") ]] && break
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
