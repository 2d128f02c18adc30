#!/usr/bin/env python3
"""droverd.service under a real systemd: a Debian 12 root booted with systemd-nspawn.

The root gets systemd and the droverd package through apt, and a config with two pools (one
with memory and pids limits). Booted, systemd starts droverd as the drover user; then what an
operator and the package do, each checked on the same worker pids:
  - droverd killed with SIGKILL: systemd leaves the workers and starts droverd again, which
    re-adopts them;
  - the package upgraded (the same package at version -2): its postinst hands over with
    SIGUSR2; the new droverd re-adopts the workers;
  - systemctl reload: SIGHUP, a changed replica count applied;
  - systemctl stop: every worker stopped, nothing left in the unit's group.

usage: tst_systemd.py PACKAGES_DIR CACHE_DIR   (as root)
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from debianroot import chroot, minimal_root, run

PACKAGES = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath("build/packages")
CACHE = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.abspath("build")
PORT = 29470

CONFIG = f"""version: 1
master: {{listen: 127.0.0.1:{PORT}, state_dir: /var/lib/drover}}
pools:
  - name: ticker
    command: ["/bin/sh", "-c", "while :; do echo tick; sleep 0.5; done"]
    replicas: REPLICAS
  - name: capped
    command: ["/bin/sleep", "infinity"]
    limits: {{memory: 64Mi, pids: 16}}
"""


class UnderSystemd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="drover-systemd-")
        cls.root = os.path.join(cls.tmp, "root")
        run(["cp", "-a", minimal_root(CACHE), cls.root])
        debs = glob.glob(os.path.join(PACKAGES, "droverd_*.deb"))
        assert len(debs) == 1, debs
        shutil.copy(debs[0], os.path.join(cls.root, "tmp/droverd.deb"))
        # The upgrade: the same package with version -2.
        unpacked = os.path.join(cls.tmp, "deb2")
        run(["dpkg-deb", "-R", debs[0], unpacked])
        control = os.path.join(unpacked, "DEBIAN/control")
        with open(control) as f:
            text = f.read()
        with open(control, "w") as f:
            f.write(re.sub(r"(?m)^Version: (.*)-1$", r"Version: \1-2", text))
        run(["dpkg-deb", "-Zgzip", "-z1", "-b", unpacked, os.path.join(cls.root, "opt/droverd-2.deb")])

        started = time.monotonic()
        run(["mount", "-t", "proc", "proc", os.path.join(cls.root, "proc")])
        try:
            chroot(cls.root, "apt-get update -qq\n"
                   "apt-get install -y -qq --no-install-recommends systemd systemd-sysv dbus "
                   "/tmp/droverd.deb >/dev/null")
        finally:
            run(["umount", os.path.join(cls.root, "proc")])
        print(f"systemd and droverd installed in {time.monotonic() - started:.0f} s", flush=True)
        with open(os.path.join(cls.root, "etc/drover/drover.yaml"), "w") as f:
            f.write(CONFIG.replace("REPLICAS", "2"))
        with open(os.path.join(cls.root, "etc/hostname"), "w") as f:
            f.write("drover-test\n")
        # The test build's programs carry AddressSanitizer, whose leak check at exit needs
        # ptrace, which the unit's system call filter refuses.
        dropin = os.path.join(cls.root, "etc/systemd/system/droverd.service.d")
        os.makedirs(dropin)
        with open(os.path.join(dropin, "sanitizer.conf"), "w") as f:
            f.write("[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n")

        cls.nspawn = subprocess.Popen(
            ["systemd-nspawn", "--quiet", "--boot", "--register=no", "--keep-unit",
             "--console=passive", f"--machine=drover-test-{os.getpid()}", "-D", cls.root],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        cls.leader = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and cls.leader is None:
            cls.leader = cls.find_init()
            time.sleep(0.2)
        assert cls.leader, "systemd-nspawn did not start the container's systemd"
        while time.monotonic() < deadline:
            state = cls.inside("systemctl is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.5)
        print(f"the container's systemd is {state} after {time.monotonic() - deadline + 90:.0f} s",
              flush=True)

    @classmethod
    def tearDownClass(cls):
        if cls.nspawn.poll() is None:
            if cls.leader:
                cls.inside("systemctl poweroff", check=False)
            try:
                cls.nspawn.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(cls.nspawn.pid, signal.SIGKILL)
                cls.nspawn.wait(10)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def find_init(cls):
        """The container's PID 1: the process under systemd-nspawn that runs systemd."""
        todo = [cls.nspawn.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "systemd":
                        return pid
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo += [int(x) for x in f.read().split()]
            except FileNotFoundError:
                continue
        return None

    @classmethod
    def inside(cls, command, check=True):
        return run(["nsenter", "-t", str(cls.leader), "-m", "-u", "-i", "-n", "-p",
                    "sh", "-c", command], check=check)

    def show(self, prop):
        return self.inside(f"systemctl show -P {prop} droverd.service").stdout.strip()

    def workers(self):
        r = self.inside(f"droverctl --master ws://127.0.0.1:{PORT} --json workers", check=False)
        if r.returncode != 0:
            return None
        return {w["id"]: w for w in json.loads(r.stdout)}

    def wait_workers(self, count, pids=None, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ws = self.workers()
            if ws and len(ws) == count and all(w["state"] == "ready" for w in ws.values()):
                found = {i: w["pid"] for i, w in ws.items()}
                if pids is None or all(found.get(i) == p for i, p in pids.items()):
                    return ws
            time.sleep(0.2)
        self.fail(f"wanted {count} ready workers (pids {pids}), have {self.workers()}; "
                  f"journal:\n{self.journal()}")

    def journal(self):
        return self.inside("journalctl -u droverd --no-pager -o cat", check=False).stdout

    def alive(self, pid):
        return self.inside(f"kill -0 {pid}", check=False).returncode == 0

    def wait_main_pid_change(self, old, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.show("MainPID")
            if pid not in ("0", old) and self.show("ActiveState") == "active":
                return pid
            time.sleep(0.2)
        self.fail(f"droverd did not come back (MainPID {self.show('MainPID')}); "
                  f"journal:\n{self.journal()}")

    def test_service(self):
        self.assertEqual(self.show("ActiveState"), "active", self.journal())
        main = self.show("MainPID")
        self.assertEqual(self.inside(f"stat -c %U /proc/{main}").stdout.strip(), "drover")
        ws = self.wait_workers(3)
        pids = {i: w["pid"] for i, w in ws.items()}
        # The limits: applied in the group delegated to droverd where the container has a
        # writable hierarchy; where it has none (systemd-nspawn on a cgroup v1 host mounts
        # the controllers read-only), each limit says why it is not applied as a cgroup.
        capped = ws["capped-0"]
        cgroup_limits = [x for x in capped["limits"] if "cgroup" in x]
        print(f"capped-0: limits {capped['limits']}, problems {capped['limit_problems']}",
              flush=True)
        if len(cgroup_limits) == 2:
            self.assertEqual(capped["limit_problems"], [])
            self.assertIn("worker groups are made in the group delegated to drover", self.journal())
        else:
            self.assertEqual([p.split(":")[0] for p in capped["limit_problems"]],
                             ["memory", "pids"][:len(capped["limit_problems"])] or ["memory"])

        # Usage sampling works under the unit's hardening (ProtectProc, no capabilities).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ticker = self.workers()["ticker-0"]
            if ticker["rss_bytes"] > 0 and ticker["fds"] >= 0:
                break
            time.sleep(0.3)
        self.assertGreater(ticker["rss_bytes"], 0, ticker)
        self.assertGreaterEqual(ticker["fds"], 3, ticker)

        # A crash: systemd keeps the workers and starts droverd again.
        self.inside("systemctl kill --kill-who=main --signal=SIGKILL droverd.service")
        main = self.wait_main_pid_change(main)
        for worker, pid in pids.items():
            self.assertTrue(self.alive(pid), f"{worker} died with droverd")
        self.wait_workers(3, pids)
        self.assertIn(f"worker.readopted worker=ticker-0 pid={pids['ticker-0']}", self.journal())

        # A package upgrade: the postinst hands over; the workers stay.
        self.inside("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /opt/droverd-2.deb")
        main = self.wait_main_pid_change(main)
        self.wait_workers(3, pids)
        self.assertIn("master.handover", self.journal())
        self.assertIn("0.1.0-2", self.inside("dpkg-query -W droverd").stdout)
        self.assertEqual(self.show("NRestarts"), "2")

        # systemctl reload: SIGHUP; one more ticker.
        with open(os.path.join(self.root, "etc/drover/drover.yaml"), "w") as f:
            f.write(CONFIG.replace("REPLICAS", "3"))
        self.inside("systemctl reload droverd.service")
        self.wait_workers(4, pids)
        self.assertEqual(self.show("MainPID"), main)
        cgroup = self.show("ControlGroup")

        # systemctl stop: every worker stopped gracefully, nothing left in the group.
        self.inside("systemctl stop droverd.service")
        self.assertEqual(self.show("ActiveState"), "inactive")
        for worker, pid in pids.items():
            self.assertFalse(self.alive(pid), f"{worker} still runs after systemctl stop")
        self.assertIn("master.stopped", self.journal())
        left = self.inside(f"cat /sys/fs/cgroup{cgroup}/cgroup.procs 2>/dev/null || true").stdout
        self.assertEqual(left.split(), [])


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("tst_systemd: not run: systemd-nspawn needs root", flush=True)
        sys.exit(77)
    unittest.main(argv=sys.argv[:1], verbosity=2)
