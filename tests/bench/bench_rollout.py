#!/usr/bin/python3
"""Rollouts under load: Drover's rolling, blue-green and rolled-back updates against PM2's reload.

  tests/bench/bench_rollout.py [--bin build/bin] [--rate 1000] [--no-pm2]

droverd runs a pool of 4 drover-demo-workers behind its gateway (127.0.0.1:18390, readiness
probe every 100 ms). A steady load of --rate GET requests a second (20 client threads on
keep-alive connections, each on a fixed schedule) runs for the whole time, while the config
file changes three times (SIGHUP reloads it):
  - rolling: a new template (max_surge 1, max_unavailable 0, min_ready 1s);
  - blue-green: another template with strategy blue-green;
  - never-ready: a template whose workers never become ready, progress_deadline 5s: the
    rollout rolls back by itself at the deadline.
For each: the requests that failed (a status other than 200, or a socket error), the fewest
ready workers of the pool while it ran (sampled every 50 ms from droverd's /metrics), how long
it took, and for the rollback the time from the deadline to every old-revision worker ready.
Then, when PM2 is installed as ../shared/peers/README.md says: the same 4 workers under PM2
(fork mode), behind nginx (keep-alive upstreams, its default retry of a failed GET on the
next upstream), the same load, `pm2 reload all`. Prints `RESULT bench=rollout ...` lines.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchutil import (arg_parser, log, metric, port_free, start, start_nginx,  # noqa: E402
                       stop_all, wait_http)

ap = arg_parser()
ap.add_argument("--rate", type=int, default=1000)
ap.add_argument("--no-pm2", action="store_true")
args = ap.parse_args()
BIN = os.path.abspath(args.bin)
MASTER, GATEWAY, NGINX = 18399, 18390, 18380
PORTS = list(range(18301, 18309))  # 4 workers and room for 4 more (blue-green)
PM2_PORTS = [18321, 18322, 18323, 18324]
SCRATCH = os.environ.get("PEERS_SCRATCH", "/tmp/peers")
PM2 = os.environ.get("PEERS_PM2", os.path.join(SCRATCH, "node_modules", ".bin", "pm2"))


class Load:
    """--rate requests a second to 127.0.0.1:port over keep-alive connections."""

    def __init__(self, port, rate, threads=20):
        self.port, self.rate, self.threads = port, rate, threads
        self.stopping = False
        self.results = [[] for _ in range(threads)]  # per thread: (time, ok, what)
        self.pool = [threading.Thread(target=self.run, args=(i,), daemon=True)
                     for i in range(threads)]
        self.t0 = time.monotonic()
        for t in self.pool:
            t.start()

    def run(self, i):
        period = self.threads / self.rate
        due = self.t0 + i / self.rate
        conn = None
        out = self.results[i]
        while not self.stopping:
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
            due += period
            sent = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/")
                r = conn.getresponse()
                r.read()
                out.append((sent, r.status == 200, r.status))
                if (r.getheader("Connection") or "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as e:  # a socket error is a failed request
                out.append((sent, False, type(e).__name__))
                if conn is not None:
                    conn.close()
                conn = None

    def window(self, a, b):
        """(requests, failures, {what: count}) of the requests sent between a and b."""
        n, bad, what = 0, 0, {}
        for rs in self.results:
            for t, ok, w in rs:
                if a <= t < b:
                    n += 1
                    if not ok:
                        bad += 1
                        what[str(w)] = what.get(str(w), 0) + 1
        return n, bad, what

    def stop(self):
        self.stopping = True
        for t in self.pool:
            t.join(15)


class ReadyWatch:
    """The pool's ready workers from droverd's /metrics, every 50 ms."""

    def __init__(self):
        self.samples = []
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                v = metric(MASTER, "drover_pool_ready_workers", "web")
                if v is not None:
                    self.samples.append((time.monotonic(), int(v)))
            except Exception:
                pass
            time.sleep(0.05)

    def least(self, a, b):
        vs = [v for t, v in self.samples if a <= t <= b]
        return min(vs) if vs else -1

    def stop(self):
        self.stopping = True
        self.thread.join(5)


def config(d, rev, strategy="rolling", never_ready=False, deadline="30s"):
    worker = [f"{BIN}/drover-demo-worker", "--port", "{{port}}", "--quiet"]
    if never_ready:
        worker += ["--ready-after", "100000"]
    rollout = f"{{strategy: {strategy}, min_ready: 1s, progress_deadline: {deadline}}}"
    if strategy == "rolling":
        rollout = (f"{{strategy: rolling, max_surge: 1, max_unavailable: 0, min_ready: 1s, "
                   f"progress_deadline: {deadline}}}")
    return f"""version: 1
master: {{listen: 127.0.0.1:{MASTER}, state_dir: {d}/state}}
pools:
  - name: web
    command: {json.dumps(worker)}
    env: {{REVISION: "{rev}"}}
    replicas: 4
    ports: {PORTS[0]}-{PORTS[-1]}
    stop: {{timeout: 10s}}
    probes:
      readiness: {{http: {{url: "http://127.0.0.1:{{{{port}}}}/ready"}}, interval: 100ms}}
    gateway:
      listen: 127.0.0.1:{GATEWAY}
      per_worker_concurrency: 32
      drain_timeout: 10s
      queue: {{max: 4096, timeout: 10s}}
    rollout: {rollout}
"""


def ctl(*a):
    return subprocess.run([f"{BIN}/droverctl", "--master", f"ws://127.0.0.1:{MASTER}", *a],
                          capture_output=True, text=True, timeout=120)


def events(kind):
    """The master's recent events of `kind` (droverctl prints one JSON object a line)."""
    out = []
    for line in ctl("--json", "events").stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("kind") == kind:
            out.append(e)
    return out


def rollout_info():
    text = ctl("--json", "rollout", "status", "web").stdout
    try:
        status = json.loads(text or "{}")
    except ValueError:
        return {}
    info = status.get("rollout", status) if isinstance(status, dict) else None
    return info or {}


def result(**r):
    print("RESULT bench=rollout " + " ".join(
        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()), flush=True)


def drover(d):
    path = f"{d}/drover.yaml"
    with open(path, "w") as f:
        f.write(config(d, "1"))
    p = start([f"{BIN}/droverd", "--config", path], f"{d}/droverd.log")
    if not wait_http(f"http://127.0.0.1:{GATEWAY}/", 30):
        log(f"the gateway did not answer; see {d}/droverd.log")
        return False
    until = time.time() + 30
    while time.time() < until and metric(MASTER, "drover_pool_ready_workers", "web") != 4:
        time.sleep(0.1)
    load = Load(GATEWAY, args.rate)
    watch = ReadyWatch()
    time.sleep(2)
    scenarios = [("rolling", config(d, "2")),
                 ("blue-green", config(d, "3", strategy="blue-green")),
                 ("never-ready", config(d, "4", never_ready=True, deadline="5s"))]
    for name, text in scenarios:
        with open(path + ".new", "w") as f:
            f.write(text)
        os.replace(path + ".new", path)
        before = rollout_info().get("number", 0)
        a = time.monotonic()
        os.kill(p.pid, signal.SIGHUP)
        until = time.time() + 10  # the reload and the rollout's start
        while time.time() < until and rollout_info().get("number", 0) == before:
            time.sleep(0.05)
        watched = ctl("rollout", "status", "--watch", "web")
        b = time.monotonic()
        info = rollout_info()
        n, bad, what = load.window(a, b)
        r = {"target": "drover", "scenario": name, "phase": info.get("phase", "?"),
             "exit": watched.returncode, "seconds": b - a, "requests": n, "failed": bad,
             "least_ready": watch.least(a, b)}
        if what:
            r["failures"] = ",".join(f"{k}:{v}" for k, v in sorted(what.items()))
        if name == "never-ready":
            rb = [e for e in events("rollout.rollback") if e.get("subject") == "web"]
            if rb and info.get("finished_at"):
                r["deadline_to_old_ready_ms"] = float(info["finished_at"] - rb[-1]["time"])
        result(**r)
        time.sleep(2)
    n, bad, _ = load.window(load.t0, time.monotonic())
    load.stop()
    watch.stop()
    result(target="drover", scenario="whole-run", requests=n, failed=bad,
           rate=n / (time.monotonic() - load.t0))
    return True


def pm2(d):
    env = dict(os.environ, PM2_HOME=f"{d}/pm2home")
    apps = [{"name": f"w{i}", "script": f"{BIN}/drover-demo-worker", "interpreter": "none",
             "args": ["--port", str(port), "--quiet"]} for i, port in enumerate(PM2_PORTS)]
    with open(f"{d}/ecosystem.config.js", "w") as f:
        f.write("module.exports = " + json.dumps({"apps": apps}) + ";\n")
    subprocess.run([PM2, "start", f"{d}/ecosystem.config.js"], env=env, capture_output=True,
                   timeout=120)
    start_nginx(d, NGINX, PM2_PORTS)
    try:
        if not all(wait_http(f"http://127.0.0.1:{p}/", 30) for p in PM2_PORTS + [NGINX]):
            log(f"PM2's workers or nginx did not answer; see {d}")
            return
        load = Load(NGINX, args.rate)
        time.sleep(2)
        a = time.monotonic()
        reload = subprocess.run([PM2, "reload", "all"], env=env, capture_output=True, timeout=120)
        # Until every worker answers again, and 2 s more.
        until = time.time() + 30
        while time.time() < until and not all(wait_http(f"http://127.0.0.1:{p}/", 1)
                                                for p in PM2_PORTS):
            time.sleep(0.05)
        time.sleep(2)
        b = time.monotonic()
        n, bad, what = load.window(a, b)
        load.stop()
        r = {"target": "pm2+nginx", "scenario": "pm2-reload", "exit": reload.returncode,
             "seconds": b - a, "requests": n, "failed": bad}
        if what:
            r["failures"] = ",".join(f"{k}:{v}" for k, v in sorted(what.items()))
        result(**r)
    finally:
        subprocess.run([PM2, "kill"], env=env, capture_output=True, timeout=60)


def main():
    busy = [p for p in PORTS + PM2_PORTS + [MASTER, GATEWAY, NGINX] if not port_free(p)]
    if busy:
        log("ports in use:", busy)
        return 2
    d = tempfile.mkdtemp(prefix="bench_rollout.")
    try:
        if not drover(d):
            return 1
        if not args.no_pm2:
            if os.path.exists(PM2) and (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
                pm2(d)
            else:
                log(f"PM2 ({PM2}) or nginx missing: see ../shared/peers/README.md")
    finally:
        stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
