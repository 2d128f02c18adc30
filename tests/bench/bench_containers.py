#!/usr/bin/env python3
"""Cold start of a container worker (issue 21), side by side in one run, each from nothing to
a port that accepts connections: the same program (busybox httpd, from Debian's
busybox-static) as

  1. `podman run` alone (detached, host network, as droverd runs it),
  2. a droverd container worker (`image:`), started by `droverctl scale POOL 1`,
  3. a droverd native worker of the same program, started the same way,

each N times, alternating, with the worker stopped and its container removed in between
(nothing of one run's podman still running during the next).
The image is made here by `podman import` (no registry). Needs root (or a working rootless
podman), podman, runc and busybox-static, and build/bin's droverd and droverctl.
Prints `RESULT bench=container_cold_start ...` (medians in ms, and the ratios).

  tests/bench/bench_containers.py [--runs 10] [--bin build/bin]
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchutil  # noqa: E402

IMAGE = "localhost/drover-bench-busybox:1"
LISTEN = "127.0.0.1:17730"
PORTS = {"podman": 17731, "c": 17732, "n": 17733}


def sh(*cmd, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stdout.strip()}")
    return r.stdout.strip()


def make_image(work):
    """The root the native worker serves from, and the image of it when podman lacks it."""
    root = os.path.join(work, "root")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "www"))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "httpd", "sleep"):
        os.symlink("busybox", os.path.join(root, "bin", applet))
    with open(os.path.join(root, "www", "index.html"), "w") as f:
        f.write("bench\n")
    if subprocess.run(["podman", "image", "exists", IMAGE]).returncode == 0:
        return
    tar = os.path.join(work, "image.tar")
    sh("tar", "-C", root, "-cf", tar, ".")
    sh("podman", "import", tar, IMAGE)


def until_accepts(port, t0, limit=60):
    """ms from t0 (perf_counter) until 127.0.0.1:port accepts, polling every 0.5 ms."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return (time.perf_counter() - t0) * 1000
        time.sleep(0.0005)
    raise SystemExit(f"port {port} never accepted")


def until_free(port, limit=30):
    end = time.time() + limit
    while time.time() < end and not benchutil.port_free(port):
        time.sleep(0.01)


def podman_alone(runtime, limits):
    port = PORTS["podman"]
    cmd = ["podman", "run", "--detach", "--replace", "--name", "drover-bench-alone",
           "--log-driver", "passthrough", "--pull", "never", "--network", "host"]
    if runtime:
        cmd += ["--runtime", runtime]
    cmd += limits + [IMAGE, "httpd", "-f", "-p", str(port), "-h", "/www"]
    # Polled while podman runs, as for droverd's workers: the port may accept before
    # `podman run --detach` has exited.
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ms = until_accepts(port, t0)
    if p.wait() != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    sh("podman", "rm", "--force", "--time", "0", "drover-bench-alone")
    until_free(port)
    return ms


def drover_scale(ctl, pool):
    port = PORTS[pool]
    t0 = time.perf_counter()
    sh(ctl, "--master", "ws://" + LISTEN, "scale", pool, "1")
    ms = until_accepts(port, t0)
    sh(ctl, "--master", "ws://" + LISTEN, "scale", pool, "0")
    until_free(port)
    if pool == "c":  # droverd removes the container afterwards: not during the next one
        end = time.time() + 30
        while time.time() < end and sh("podman", "ps", "--all", "--quiet", "--filter",
                                       "label=io.drover.pool=c"):
            time.sleep(0.02)
    return ms


def main():
    ap = benchutil.arg_parser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    droverd = os.path.join(args.bin, "droverd")
    ctl = os.path.join(args.bin, "droverctl")
    if not shutil.which("podman") or not os.path.exists("/bin/busybox"):
        raise SystemExit("needs podman and busybox-static (apt-get install podman runc "
                         "busybox-static)")
    work = tempfile.mkdtemp(prefix="drover-bench-containers-")
    make_image(work)

    conf = os.path.join(work, "drover.yaml")
    with open(conf, "w") as f:
        f.write(f"""version: 1
master: {{state_dir: {work}/state, listen: "{LISTEN}"}}
pools:
  - name: c
    image: {IMAGE}
    command: [httpd, -f, -p, "{{{{port}}}}", -h, /www]
    network: host
    ports: {PORTS['c']}
    replicas: 0
    stop: {{signal: SIGKILL, timeout: 1s}}
  - name: n
    command: [/bin/busybox, httpd, -f, -p, "{{{{port}}}}", -h, {work}/root/www]
    ports: {PORTS['n']}
    replicas: 0
    stop: {{signal: SIGKILL, timeout: 1s}}
""")
    d = benchutil.start([droverd, "--config", conf, "--log-level", "info"],
                        os.path.join(work, "droverd.log"))
    try:
        end = time.time() + 20
        while time.time() < end and benchutil.port_free(int(LISTEN.split(":")[1])):
            time.sleep(0.05)
        # droverd asks podman what it can do at the first container start: do that once
        # before timing, and take the runtime and limits it chose for `podman run` alone.
        drover_scale(ctl, "c")
        said = ""
        with open(os.path.join(work, "droverd.log")) as f:
            for line in f:
                if "master.containers" in line:
                    said = line.split("master.containers", 1)[1].strip()
        benchutil.log("droverd:", said)
        runtime = "runc" if "runtime runc" in said else ""
        nofile = said.split("ulimits nofile ")[1].split()[0] if "ulimits nofile" in said else ""
        nproc = said.split(" nproc ")[1].split(")")[0] if " nproc " in said else ""
        limits = []
        if nofile:
            limits += ["--ulimit", f"nofile=1024:{nofile}"]
        if nproc:
            limits += ["--ulimit", f"nproc={nproc}:{nproc}"]
        podman_alone(runtime, limits)  # warm the image's layers, as the worker above did

        times = {"podman": [], "c": [], "n": []}
        for _ in range(args.runs):
            times["podman"].append(podman_alone(runtime, limits))
            times["c"].append(drover_scale(ctl, "c"))
            times["n"].append(drover_scale(ctl, "n"))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"RESULT bench=container_cold_start runs={args.runs} "
              f"podman_run_ms={med['podman']:.1f} drover_container_ms={med['c']:.1f} "
              f"drover_native_ms={med['n']:.1f} "
              f"container_vs_podman_run={med['c'] / med['podman']:.2f} "
              f"container_vs_native={med['c'] / med['n']:.1f} "
              f"podman_run_min_max_ms={min(times['podman']):.1f}/{max(times['podman']):.1f} "
              f"drover_container_min_max_ms={min(times['c']):.1f}/{max(times['c']):.1f} "
              f"drover_native_min_max_ms={min(times['n']):.1f}/{max(times['n']):.1f}",
              flush=True)
    finally:
        benchutil.stop_all()
        d.wait(timeout=30)
        subprocess.run(["podman", "rm", "--force", "drover-bench-alone"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
