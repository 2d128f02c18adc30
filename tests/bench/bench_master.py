#!/usr/bin/python3
"""droverd against the machine's spawn limit, supervisord and PM2, in one run.

  tests/bench/bench_master.py [--peers DIR] [--quick]

DIR is ../shared/peers by default (the peers' harness; see its README). Runs, in order:
  1. the physical limit: peers/bench_spawn.sh 1000 (posix_spawn loop, restart floor)
  2. droverd with 1000 `sleep` workers, 20 kills, each timed from the kill to the
     replacement's exec by the kernel's own timestamps (proc connector; root): the figure to
     set against the floor, which the harness's 1 ms poller below cannot resolve; then the
     same kills and timing against build/bench/bench_restart_floor (waitpid + posix_spawn of
     1000 `sleep` children), the floor measured to the exec as droverd is
  3. droverd through peers/bench_supervisor.py with tests/bench/peers/drover.sh at
     n=1000 (20 kills) and n=500, then supervisord and PM2 at n=500 (when installed)
  4. droverd with 1000 drover-demo-worker HTTP workers: time until every one listens
  5. build/bench/bench_engine_start: the engine's loop while 1000 workers start, against a
     posix_spawn loop in the same process
Prints the peers' RESULT lines unchanged, then `RESULT bench=master_summary ...` with the
ratios the engine issue sets targets for. Figures go to README.md by hand.
"""
import argparse
import os
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ap = argparse.ArgumentParser()
ap.add_argument("--peers", default=os.path.join(ROOT, "..", "shared", "peers"))
ap.add_argument("--bin", default=os.environ.get("DROVER_BIN_DIR", os.path.join(ROOT, "build", "bin")))
ap.add_argument("--quick", action="store_true", help="skip supervisord and PM2")
ap.add_argument("--stages", default="spawn,exact,drover,peers,demo,loop",
                help="comma-separated subset of spawn,exact,drover,peers,demo,loop")
args = ap.parse_args()
PEERS = os.path.abspath(args.peers)
BIN = os.path.abspath(args.bin)
ENV = dict(os.environ, DROVER_BIN_DIR=BIN)


def result_lines(text):
    return [l for l in text.splitlines() if l.startswith("RESULT ")]


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def run(cmd, timeout):
    print("#", " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    lines = result_lines(r.stdout)
    for l in lines:
        print(l, flush=True)
    if not lines:
        print(r.stderr[-2000:], file=sys.stderr)
    return [fields(l) for l in lines]


def supervisor(adapter, n, kills=10):
    out = run([os.path.join(PEERS, "bench_supervisor.py"), adapter, str(n), "--startsecs", "0",
               "--kills", str(kills)], timeout=900)
    return out[0] if out else {}


def demo_workers(n=1000):
    """droverd with n drover-demo-worker: seconds until every port accepts a connection."""
    work = tempfile.mkdtemp(prefix="drover-bench-")
    conf = os.path.join(work, "demo.yaml")
    base = 31000
    with open(conf, "w") as f:
        f.write(f"version: 1\nmaster: {{state_dir: {work}/state}}\npools:\n"
                f"  - name: demo\n    command: [\"{BIN}/drover-demo-worker\", \"--port\", \"{{{{port}}}}\"]\n"
                f"    replicas: {n}\n    ports: {base}-{base + n + 99}\n    stop: {{timeout: 5s}}\n")
    t0 = time.monotonic()
    err = open(os.path.join(work, "droverd.err"), "w+")
    d = subprocess.Popen([os.path.join(BIN, "droverd"), "--config", conf, "--log-level", "warn"],
                         stdout=subprocess.DEVNULL, stderr=err)
    pending = set(range(base, base + n))
    deadline = t0 + 120
    while pending and time.monotonic() < deadline and d.poll() is None:
        for port in list(pending):
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", port))
                pending.discard(port)
            except OSError:
                pass
            finally:
                s.close()
        time.sleep(0.01)
    listening = time.monotonic() - t0
    if d.poll() is not None:
        err.seek(0)
        print(f"droverd exited with {d.returncode}:\n{err.read()[-2000:]}", file=sys.stderr)
        return {}
    with open(f"/proc/{d.pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    t1 = time.monotonic()
    d.send_signal(signal.SIGTERM)
    d.wait(timeout=60)
    stopped = time.monotonic() - t1
    shutil.rmtree(work, ignore_errors=True)
    line = (f"RESULT bench=master_demo_workers n={n} all_listening_s={listening:.3f} "
            f"missing={len(pending)} rss_kb={rss} shutdown_s={stopped:.3f}")
    print(line, flush=True)
    return fields(line)


class ProcEvents:
    """The kernel's process events (the netlink proc connector; needs CAP_NET_ADMIN): fork
    and exec with the kernel's CLOCK_MONOTONIC timestamps, so that a restart is timed from
    the kill to the replacement's exec without a poller's granularity in the figure."""
    FORK, EXEC, EXIT = 0x1, 0x2, 0x80000000

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)  # NETLINK_CONNECTOR
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((os.getpid(), 1))  # CN_IDX_PROC
        listen = struct.pack("=I", 1)  # PROC_CN_MCAST_LISTEN
        cn = struct.pack("=IIIIHH", 1, 1, 0, 0, len(listen), 0) + listen  # CN_IDX_PROC, CN_VAL_PROC
        self.sock.send(struct.pack("=IHHII", 16 + len(cn), 3, 0, 0, os.getpid()) + cn)  # NLMSG_DONE

    def drain(self, until):
        """(what, timestamp_ns, a, b, c, d) events until the monotonic time `until`"""
        out = []
        while True:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return out
            data = self.sock.recv(65536)
            while len(data) >= 16 + 20 + 16:
                length = struct.unpack_from("=I", data)[0]
                what, _cpu, ts = struct.unpack_from("=IIQ", data, 36)
                a, b, c, d = struct.unpack_from("=IIII", data.ljust(36 + 32, b"\0"), 52)
                out.append((what, ts, a, b, c, d))
                data = data[max(length, 16 + 20 + 16):]

    def close(self):
        self.sock.close()


def time_restarts(events, parent, children, kills):
    """Kills `kills` of `children` (pids whose replacements `parent` forks), one at a time,
    and times each from the kill to the replacement's exec by the kernel's timestamps, in
    three parts: the kill until the process is gone (the kernel), its exit until the parent
    clones the replacement (the parent's reaction: wake-up, bookkeeping, everything before
    the clone) and the clone until the exec (the child's set-up and the exec itself)."""
    lat, exited, reacted, execd = [], [], [], []
    victims = sorted(children)[:: max(1, len(children) // kills)][:kills]
    for pid in victims:
        t0 = time.monotonic_ns()
        os.kill(pid, signal.SIGKILL)
        t_exit = t_fork = t_exec = None
        new = None
        end = time.monotonic() + 5
        while t_exec is None and time.monotonic() < end:
            for what, ts, a, b, c, dd in events.drain(time.monotonic() + 0.05):
                if what == ProcEvents.EXIT and a == pid and b == pid:
                    t_exit = ts
                elif what == ProcEvents.FORK and b == parent and c == dd:
                    new, t_fork = c, ts
                elif what == ProcEvents.EXEC and new is not None and a == new and t_exec is None:
                    t_exec = ts
        if None not in (t_exit, t_fork, t_exec):
            lat.append((t_exec - t0) / 1e6)
            exited.append((t_exit - t0) / 1e6)
            reacted.append((t_fork - t_exit) / 1e6)
            execd.append((t_exec - t_fork) / 1e6)
        time.sleep(0.02)
    if not lat:
        return None
    return (f"kills={len(lat)} restart_exec_ms={statistics.median(lat):.3f} "
            f"restart_exec_max_ms={max(lat):.3f} restart_exec_min_ms={min(lat):.3f} "
            f"kill_to_exit_ms={statistics.median(exited):.3f} "
            f"exit_to_clone_ms={statistics.median(reacted):.3f} "
            f"clone_to_exec_ms={statistics.median(execd):.3f}")


def collect_children(events, proc, n, timeout=120):
    children = set()
    deadline = time.monotonic() + timeout
    while len(children) < n and time.monotonic() < deadline and proc.poll() is None:
        for what, _ts, a, b, c, dd in events.drain(time.monotonic() + 0.2):
            if what == ProcEvents.FORK and b == proc.pid and c == dd:
                children.add(c)
    return children


def time_and_stop(events, proc, children, kills, bench):
    """Once `proc`'s children have settled: time_restarts(), then SIGTERM to `proc`; the
    RESULT line printed and its fields."""
    time.sleep(1.0)
    events.drain(time.monotonic() + 0.05)
    timed = time_restarts(events, proc.pid, children, kills)
    events.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    if not timed:
        return {}
    line = f"RESULT bench={bench} n={len(children)} {timed}"
    print(line, flush=True)
    return fields(line)


def restart_exact(n=1000, kills=20):
    """droverd with n `sleep` workers that restart at once, timed by time_restarts()."""
    try:
        events = ProcEvents()
    except OSError as e:
        print(f"restart_exact: no proc connector ({e}); skipped", file=sys.stderr)
        return {}
    work = tempfile.mkdtemp(prefix="drover-restart-")
    conf = os.path.join(work, "drover.yaml")
    with open(conf, "w") as f:
        f.write(f"version: 1\nmaster: {{state_dir: {work}/state}}\npools:\n")
        for i in range(n):
            f.write(f"  - {{name: p{i:04d}, command: [/bin/sleep, \"{900000 + i}\"], replicas: 1,\n"
                    f"     restart: {{policy: always, backoff: {{initial: 0ms, jitter: 0}}, "
                    f"max_restarts: 1000}}}}\n")
    err = open(os.path.join(work, "droverd.err"), "w+")
    d = subprocess.Popen([os.path.join(BIN, "droverd"), "--config", conf, "--log-level", "warn"],
                         stdout=subprocess.DEVNULL, stderr=err)
    children = collect_children(events, d, n)
    if d.poll() is not None or len(children) < n:
        err.seek(0)
        print(f"restart_exact: droverd {'exited' if d.poll() is not None else 'was slow'} "
              f"({len(children)} of {n} started):\n{err.read()[-2000:]}", file=sys.stderr)
        events.close()
        if d.poll() is None:
            d.send_signal(signal.SIGTERM)
            d.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
        return {}
    result = time_and_stop(events, d, children, kills, "master_restart_exact")
    shutil.rmtree(work, ignore_errors=True)
    return result


def restart_floor_exact(n=1000, kills=20):
    """The same kills against build/bench/bench_restart_floor: the least a supervisor does
    (waitpid, posix_spawn) with n `sleep` children, timed the same way: the floor for
    restart_exact's figure, from the kill to the exec as there."""
    floor = os.path.join(os.path.dirname(BIN), "bench", "bench_restart_floor")
    if not os.access(floor, os.X_OK):
        print(f"restart_floor_exact: {floor} not built; skipped", file=sys.stderr)
        return {}
    try:
        events = ProcEvents()
    except OSError as e:
        print(f"restart_floor_exact: no proc connector ({e}); skipped", file=sys.stderr)
        return {}
    p = subprocess.Popen([floor, str(n)], stdout=subprocess.DEVNULL)
    children = collect_children(events, p, n)
    if p.poll() is not None or len(children) < n:
        print(f"restart_floor_exact: {len(children)} of {n} started", file=sys.stderr)
        events.close()
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)
        return {}
    return time_and_stop(events, p, children, kills, "restart_floor_exact")


STAGES = set(args.stages.split(","))
spawn = exact = floor_exact = drover1000 = drover500 = sup500 = pm2500 = demo = loop = {}
if "spawn" in STAGES:
    spawn = run([os.path.join(PEERS, "bench_spawn.sh"), "1000", "2000", "20"], timeout=600)
    spawn = spawn[0] if spawn else {}
if "exact" in STAGES:
    exact = restart_exact(1000, kills=20)
    floor_exact = restart_floor_exact(1000, kills=20)
if "drover" in STAGES:
    drover1000 = supervisor(os.path.join(HERE, "peers", "drover.sh"), 1000, kills=20)
    drover500 = supervisor(os.path.join(HERE, "peers", "drover.sh"), 500, kills=20)
if "peers" in STAGES and not args.quick:
    if shutil.which("supervisord"):
        sup500 = supervisor("supervisord", 500)
    if os.path.exists(os.path.join(os.environ.get("PEERS_SCRATCH", "/tmp/peers"), "node_modules",
                                   ".bin", "pm2")):
        pm2500 = supervisor("pm2", 500)
if "demo" in STAGES:
    demo = demo_workers(1000)
if "loop" in STAGES:
    loop = run([os.path.join(os.path.dirname(BIN), "bench", "bench_engine_start"), "1000"],
               timeout=600)
    loop = next((r for r in loop if r.get("bench") == "engine_start"), {})


def ratio(a, b):
    try:
        return f"{float(a) / float(b):.2f}"
    except (TypeError, ValueError, ZeroDivisionError):
        return "na"


summary = {
    "spawn_loop_1000_s": f"{float(spawn.get('spawn_all_ms', 'nan')) / 1000:.3f}",
    "drover_1000_spawned_s": drover1000.get("t_spawned_all_s", "na"),
    "drover_vs_spawn_loop": ratio(drover1000.get("t_spawned_all_s"),
                                  float(spawn.get("spawn_all_ms", "nan")) / 1000),
    "drover_1000_rss_kb": drover1000.get("rss_kb", "na"),
    "drover_1000_idle_cpu_pct": drover1000.get("idle_cpu_pct", "na"),
    "drover_restart_ms": drover1000.get("restart_spawn_ms", "na"),
    "restart_floor_ms": f"{float(spawn.get('restart_floor_us', 'nan')) / 1000:.3f}",
    "restart_vs_floor": ratio(drover1000.get("restart_spawn_ms"),
                              float(spawn.get("restart_floor_us", "nan")) / 1000),
    "drover_restart_exec_ms": exact.get("restart_exec_ms", "na"),
    "restart_exec_vs_floor": ratio(exact.get("restart_exec_ms"),
                                   float(spawn.get("restart_floor_us", "nan")) / 1000),
    "floor_restart_exec_ms": floor_exact.get("restart_exec_ms", "na"),
    "restart_exec_vs_floor_exec": ratio(exact.get("restart_exec_ms"),
                                        floor_exact.get("restart_exec_ms")),
    "drover_500_running_s": drover500.get("t_spawned_all_s", "na"),
    "supervisord_500_running_s": sup500.get("t_spawned_all_s", "na"),
    "pm2_500_running_s": pm2500.get("t_spawned_all_s", "na"),
    "supervisord_vs_drover_500": ratio(sup500.get("t_spawned_all_s"), drover500.get("t_spawned_all_s")),
    "pm2_vs_drover_500": ratio(pm2500.get("t_spawned_all_s"), drover500.get("t_spawned_all_s")),
    "drover_500_stop_s": drover500.get("stop_gone_s", "na"),
    "supervisord_500_stop_s": sup500.get("stop_gone_s", "na"),
    "pm2_500_stop_s": pm2500.get("stop_gone_s", "na"),
    "demo_1000_listening_s": demo.get("all_listening_s", "na"),
    "loop_max_gap_ms_1000_starting": loop.get("loop_max_gap_ms", "na"),
}
print("RESULT bench=master_summary " + " ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
