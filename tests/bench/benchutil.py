"""Helpers the Python benchmarks share: child processes, HTTP checks, the master's /metrics."""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

children = []
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def arg_parser():
    """The benchmarks' arguments: --bin, the folder of the programs (build/bin)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DROVER_BIN_DIR",
                                                    os.path.join(ROOT, "build", "bin")))
    return ap


def log(*a):
    print("#", *a, file=sys.stderr, flush=True)


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_http(url, limit=20):
    until = time.time() + limit
    while time.time() < until:
        try:
            if get(url, 1)[0] == 200:
                return True
        except Exception:
            time.sleep(0.02)
    return False


def start(cmd, logfile, **kw):
    p = subprocess.Popen(cmd, stdout=open(logfile, "w"), stderr=subprocess.STDOUT,
                         start_new_session=True, **kw)
    children.append(p)
    return p


def stop_all():
    for p in reversed(children):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in children:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def metric(master_port, name, pool):
    text = get(f"http://127.0.0.1:{master_port}/metrics")[1]
    m = re.search(rf'^{name}{{pool="{pool}"}} ([0-9.e+-]+)$', text, re.M)
    return float(m.group(1)) if m else None
