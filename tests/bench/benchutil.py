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


def start(cmd, logfile, own_session=True, **kw):
    """Starts `cmd` as a process group of its own (stop_all ends the whole group).

    With `own_session` it is also a session of its own. On a kernel with autogroup scheduling
    (kernel.sched_autogroup_enabled=1, Debian's default) each session is one group to the CPU
    scheduler: a supervisor and its workers then share one group's time against every other
    session. Benchmarks that compare servers under a saturated CPU pass own_session=False for
    all of them, so that every process competes alike (as ../shared/peers/bench_http.sh runs
    its servers and wrk in one session)."""
    session = {"start_new_session": True} if own_session else {"process_group": 0}
    p = subprocess.Popen(cmd, stdout=open(logfile, "w"), stderr=subprocess.STDOUT, **session,
                         **kw)
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


def start_nginx(d, port, upstreams, own_session=True):
    """nginx in `d`/nginx on 127.0.0.1:`port`, one worker process, proxying to the
    `upstreams` ports over keep-alive connections (as ../shared/peers/bench_http.sh sets it)."""
    upstream = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    os.makedirs(f"{d}/nginx/logs", exist_ok=True)
    with open(f"{d}/nginx/nginx.conf", "w") as f:
        f.write(f"""worker_processes 1;
daemon off;
pid {d}/nginx/nginx.pid;
error_log {d}/nginx/logs/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {d}/nginx/tmp_body;
  proxy_temp_path {d}/nginx/tmp_proxy;
  fastcgi_temp_path {d}/nginx/tmp_fcgi;
  uwsgi_temp_path {d}/nginx/tmp_uwsgi;
  scgi_temp_path {d}/nginx/tmp_scgi;
  upstream pool {{
{upstream}
    keepalive 64; keepalive_requests 1000000;
  }}
  server {{ listen 127.0.0.1:{port} backlog=4096;
    location / {{ proxy_pass http://pool; proxy_http_version 1.1; proxy_set_header Connection ""; }} }}
}}
""")
    return start(["nginx", "-p", f"{d}/nginx", "-e", f"{d}/nginx/logs/error.log", "-c",
                  f"{d}/nginx/nginx.conf"], f"{d}/nginx.log", own_session)
