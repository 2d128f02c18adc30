#!/usr/bin/python3
"""The Drover gateway against nginx and HAProxy in front of the same 4 workers, in one run.

  tests/bench/bench_gateway.py [--bin build/bin] [--runs 3] [--duration 10] [--conns 64]

droverd runs a pool of 4 drover-demo-workers (ports 18181-18184) behind its gateway
(127.0.0.1:18190, round-robin). nginx (1 worker process, keep-alive upstreams) and HAProxy
(1 thread, http-reuse always), configured as ../shared/peers/bench_http.sh configures them,
proxy to the same 4 worker processes. wrk (-t2 -c64 --latency, 2 s warm-up) loads, in turn and
interleaved over --runs rounds: one worker directly, nginx, HAProxy, the Drover gateway.
Then, on the same targets with one connection (wrk -t1 -c1), the latency a proxy adds to a
request to a warm worker. Then two more pools of droverd:
  - step: autoscale 1..4, per_worker_concurrency 4, a step from no load to 32 connections on
    /work?ms=50: the time until 4 workers are ready, and the 503s (none while the queue holds);
  - cold: autoscale 0..1; the first request's time against the demo worker's own start time
    (spawned directly, until it answers).
Prints `RESULT bench=gateway ...` lines per run (with the proxy process's own user and system
CPU per request, from /proc), and `RESULT bench=gateway_summary ...` with medians and the
ratios the gateway issue sets targets for. droverd, nginx and HAProxy run in the bench's own
session, as wrk does (and as bench_http.sh runs its servers): with the kernel's autogroup
scheduling, a session is one group to the CPU scheduler (see benchutil.start). Needs nginx, haproxy and wrk
(Debian: nginx-light haproxy wrk).
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchutil import (arg_parser, get, log, metric, port_free, start, start_nginx,  # noqa: E402
                       stop_all, wait_http)

ap = arg_parser()
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--duration", type=int, default=10)
ap.add_argument("--conns", type=int, default=64)
args = ap.parse_args()
BIN = os.path.abspath(args.bin)
WORKERS = [18181, 18182, 18183, 18184]
PORTS = {"drover": 18190, "step": 18191, "cold": 18192, "nginx": 18180, "haproxy": 18170}
def to_ms(token):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", token)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return {"us": v / 1000, "ms": v, "s": v * 1000, "m": v * 60000}[unit]


def cpu_ticks(pid):
    """The process's user and system CPU so far, in clock ticks (None without a pid)."""
    if not pid:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def wrk(url, threads, conns, duration, label, run, pid=None):
    """wrk's figures; with `pid`, that process's CPU per request as well (user and system)."""
    before = cpu_ticks(pid)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, timeout=duration + 60).stdout
    r = {"target": label, "run": run, "threads": threads, "conns": conns}
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M)
    r["rps"] = float(m.group(1)) if m else float("nan")
    for q in ("50", "90", "99"):
        m = re.search(rf"^\s+{q}%\s+(\S+)", out, re.M)
        r[f"p{q}_ms"] = to_ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", out)
    r["sock_errors"] = sum(int(x) for x in re.findall(r"\d+", m.group(1))) if m else 0
    m = re.search(r"^\s*(\d+) requests in", out, re.M)
    after = cpu_ticks(pid)
    if before and after and m and int(m.group(1)) > 0:
        us = 1e6 / os.sysconf("SC_CLK_TCK") / int(m.group(1))
        r["proxy_user_us"] = (after[0] - before[0]) * us
        r["proxy_sys_us"] = (after[1] - before[1]) * us
    print("RESULT bench=gateway " + " ".join(
        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()), flush=True)
    return r


def main():
    for tool in ("nginx", "haproxy", "wrk"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            log(f"{tool} is missing: apt-get install nginx-light haproxy wrk")
            return 2
    busy = [p for p in WORKERS + list(PORTS.values()) if not port_free(p)]
    if busy:
        log("ports in use:", busy)
        return 2
    d = tempfile.mkdtemp(prefix="bench_gateway.")
    master_port = 18199
    worker = [f"{BIN}/drover-demo-worker", "--port", "{{port}}", "--quiet"]
    cmd = json.dumps(worker)
    probe = '{http: {url: "http://127.0.0.1:{{port}}/ready"}, interval: 100ms}'
    config = f"""version: 1
master: {{listen: 127.0.0.1:{master_port}, state_dir: {d}/state}}
pools:
  - name: web
    command: {cmd}
    replicas: 4
    ports: {WORKERS[0]}-{WORKERS[-1] + 1}
    gateway:
      listen: 127.0.0.1:{PORTS['drover']}
      strategy: round-robin
      per_worker_concurrency: 64
      queue: {{max: 4096, timeout: 5s}}
  - name: step
    command: {cmd}
    autoscale: {{min: 1, max: 4, target_utilization: 0.7, scale_up_after: 1s, scale_down_after: 5m}}
    ports: 18200-18209
    probes: {{readiness: {probe}}}
    gateway:
      listen: 127.0.0.1:{PORTS['step']}
      per_worker_concurrency: 4
      queue: {{max: 256, timeout: 30s}}
  - name: cold
    command: {cmd}
    autoscale: {{min: 0, max: 1, scale_up_after: 0s, scale_down_after: 5m}}
    ports: 18210-18219
    probes: {{readiness: {probe}}}
    gateway:
      listen: 127.0.0.1:{PORTS['cold']}
      queue: {{max: 16, timeout: 10s}}
"""
    with open(f"{d}/drover.yaml", "w") as f:
        f.write(config)
    # Every server in this session, as wrk is: with autogroup scheduling, a session of its own
    # would make droverd share one CPU group with its 4 workers while nginx or HAProxy had a
    # group to themselves (see benchutil.start).
    droverd = start([f"{BIN}/droverd", "--config", f"{d}/drover.yaml"], f"{d}/droverd.log",
                    own_session=False)
    for p in WORKERS:
        if not wait_http(f"http://127.0.0.1:{p}/"):
            log(f"worker {p} did not answer; see {d}/droverd.log")
            return 1
    if not wait_http(f"http://127.0.0.1:{PORTS['drover']}/"):
        log("the gateway did not answer")
        return 1

    nginx = start_nginx(d, PORTS['nginx'], WORKERS, own_session=False)
    servers = "\n".join(f"  server w{i} 127.0.0.1:{p}" for i, p in enumerate(WORKERS))
    with open(f"{d}/haproxy.cfg", "w") as f:
        f.write(f"""global
  nbthread 1
  maxconn 4096

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always

frontend fe
  bind 127.0.0.1:{PORTS['haproxy']}
  default_backend be

backend be
  balance roundrobin
{servers}
""")
    haproxy = start(["haproxy", "-db", "-f", f"{d}/haproxy.cfg"], f"{d}/haproxy.log",
                    own_session=False)
    for name in ("nginx", "haproxy"):
        if not wait_http(f"http://127.0.0.1:{PORTS[name]}/"):
            log(f"{name} did not answer; see {d}")
            return 1

    # The process that proxies, for its CPU per request: nginx's one worker process, HAProxy,
    # droverd.
    nginx_workers = subprocess.run(["pgrep", "-P", str(nginx.pid)], capture_output=True,
                                   text=True).stdout.split()
    proxy_pid = {"nginx": int(nginx_workers[0]) if nginx_workers else None,
                 "haproxy": haproxy.pid, "drover": droverd.pid}
    targets = {"direct": WORKERS[0], "nginx": PORTS["nginx"], "haproxy": PORTS["haproxy"],
               "drover": PORTS["drover"]}
    load = {t: [] for t in targets}
    single = {t: [] for t in targets}
    for run in range(1, args.runs + 1):
        for t, port in targets.items():
            url = f"http://127.0.0.1:{port}/"
            subprocess.run(["wrk", "-t2", f"-c{args.conns}", "-d2s", url], capture_output=True)
            load[t].append(wrk(url, 2, args.conns, args.duration, t, run, proxy_pid.get(t)))
    for run in range(1, args.runs + 1):
        for t, port in targets.items():
            single[t].append(wrk(f"http://127.0.0.1:{port}/", 1, 1, max(3, args.duration // 2),
                                 t + "-c1", run))

    # Step load on the autoscaled pool.
    step_url = f"http://127.0.0.1:{PORTS['step']}/work?ms=50"
    t0 = time.time()
    w = subprocess.Popen(["wrk", "-t2", "-c32", "-d12s", "--latency", step_url],
                         stdout=subprocess.PIPE, text=True)
    scaled_s = float("nan")
    while w.poll() is None:
        ready = metric(master_port, "drover_pool_ready_workers", "step")
        if ready is not None and ready >= 4 and scaled_s != scaled_s:
            scaled_s = time.time() - t0
        time.sleep(0.05)
    out = w.stdout.read()
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    step_non2xx = int(m.group(1)) if m else 0
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M)
    step_rps = float(m.group(1)) if m else float("nan")
    print(f"RESULT bench=gateway_step from=1 to=4 conns=32 scaled_s={scaled_s:.2f} "
          f"rps={step_rps:.0f} non2xx={step_non2xx}", flush=True)

    # Cold start from zero, against the worker's own start (spawned here, until it answers).
    own = []
    for i in range(5):
        t = time.time()
        p = subprocess.Popen([f"{BIN}/drover-demo-worker", "--port", "18230", "--quiet"],
                             stdout=subprocess.DEVNULL)
        # Until it accepts a connection, tried every half millisecond: its own start.
        while time.time() - t < 10:
            with socket.socket() as c:
                if c.connect_ex(("127.0.0.1", 18230)) == 0:
                    break
            time.sleep(0.0005)
        own.append((time.time() - t) * 1000)
        p.terminate()
        p.wait()
    t = time.time()
    status, _ = get(f"http://127.0.0.1:{PORTS['cold']}/", 15)
    cold_ms = (time.time() - t) * 1000
    own_ms = statistics.median(own)
    print(f"RESULT bench=gateway_cold status={status} first_request_ms={cold_ms:.1f} "
          f"worker_own_start_ms={own_ms:.1f} overhead_ms={cold_ms - own_ms:.1f}", flush=True)

    med = lambda rows, k: statistics.median(r[k] for r in rows)
    best_rps = max(med(load["nginx"], "rps"), med(load["haproxy"], "rps"))
    best_p99 = min(med(load["nginx"], "p99_ms"), med(load["haproxy"], "p99_ms"))
    print("RESULT bench=gateway_summary "
          f"direct_rps={med(load['direct'], 'rps'):.0f} nginx_rps={med(load['nginx'], 'rps'):.0f} "
          f"haproxy_rps={med(load['haproxy'], 'rps'):.0f} drover_rps={med(load['drover'], 'rps'):.0f} "
          f"rps_vs_best={med(load['drover'], 'rps') / best_rps:.2f} "
          f"nginx_p99_ms={med(load['nginx'], 'p99_ms'):.2f} "
          f"haproxy_p99_ms={med(load['haproxy'], 'p99_ms'):.2f} "
          f"drover_p99_ms={med(load['drover'], 'p99_ms'):.2f} "
          f"p99_vs_best={med(load['drover'], 'p99_ms') / best_p99:.2f} "
          f"c1_direct_p50_ms={med(single['direct'], 'p50_ms'):.3f} "
          f"c1_nginx_p50_ms={med(single['nginx'], 'p50_ms'):.3f} "
          f"c1_haproxy_p50_ms={med(single['haproxy'], 'p50_ms'):.3f} "
          f"c1_drover_p50_ms={med(single['drover'], 'p50_ms'):.3f} "
          f"added_p50_ms={med(single['drover'], 'p50_ms') - med(single['direct'], 'p50_ms'):.3f} "
          f"non2xx={sum(r['non2xx'] for r in load['drover'])} "
          f"step_scaled_s={scaled_s:.2f} step_non2xx={step_non2xx} "
          f"cold_overhead_ms={cold_ms - own_ms:.1f} " +
          " ".join(f"{t}_user_us={med(load[t], 'proxy_user_us'):.1f} "
                   f"{t}_sys_us={med(load[t], 'proxy_sys_us'):.1f}"
                   for t in ("nginx", "haproxy", "drover")), flush=True)
    shutil.rmtree(d, ignore_errors=True)
    return 0


try:
    sys.exit(main())
finally:
    stop_all()
