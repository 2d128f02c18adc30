#!/usr/bin/env python3
"""The packages as an operator gets them.

Takes what cpack made (the CTest fixture package_build), unpacks each .deb with dpkg-deb -x into a temporary root
and the tarball with tar, and checks what is inside: the programs run (--version, droverd
--check on the examples and on /etc/drover/drover.yaml), the man pages say what --help says,
the Depends fields name every library the programs load and the master's package no Qt, lintian
finds no error, the desktop entry and the systemd unit validate. Then droverd from the package
runs the way its unit runs it (in a control group of its own, as an unprivileged user, no new
privileges) and is killed with SIGKILL, handed over with SIGUSR2 and stopped with SIGTERM, as
systemd with KillMode=process would do on a crash, a package upgrade and `systemctl stop`.

usage: tst_package.py PACKAGES_DIR VERSION [LRELEASE]
"""
import glob
import gzip
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

PACKAGES = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath("build/packages")
VERSION = sys.argv[2] if len(sys.argv) > 2 else "0.1.0"
LRELEASE = sys.argv[3] if len(sys.argv) > 3 else shutil.which("lrelease") or "/usr/lib/qt6/bin/lrelease"
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", ASAN_OPTIONS="detect_leaks=0")


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, env=kw.pop("env", ENV), **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def control(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).stdout.strip()


def depends_packages(deb):
    """The package names of a .deb's Depends (alternatives flattened, versions dropped)."""
    names = set()
    for part in re.split(r"[,|]", control(deb, "Depends")):
        part = part.strip()
        if part:
            names.add(part.split()[0].split(":")[0])
    return names


def needed_libraries(elf):
    out = run(["readelf", "-d", elf]).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def package_of_library(soname, cache={}):
    """The Debian packages that ship `soname` on this machine (found through ldconfig)."""
    if soname in cache:
        return cache[soname]
    paths = re.findall(rf"^\s+{re.escape(soname)} \(libc6,x86-64[^)]*\) => (\S+)$",
                       run(["ldconfig", "-p"]).stdout, re.M)
    owner = None
    for path in paths:
        for candidate in {path, os.path.realpath(path)} | (
                {path.replace("/usr/lib", "/lib", 1)} if path.startswith("/usr/lib") else set()):
            r = run(["dpkg", "-S", candidate], check=False)
            if r.returncode == 0:  # "pkg:amd64, other:amd64: /path"
                owner = {p.split(":")[0].strip() for p in r.stdout.rsplit(": ", 1)[0].split(",")}
                # and what they provide: libspdlog1.10's shlibs name libspdlog1.10-fmt9
                for p in list(owner):
                    provides = run(["dpkg-query", "-W", "-f=${Provides}", p]).stdout
                    owner |= {x.strip().split()[0] for x in provides.split(",") if x.strip()}
                break
        if owner:
            break
    cache[soname] = owner
    return owner


def man_text(page):
    """A man page's words as a reader sees them: font escapes out, \\- as -."""
    with gzip.open(page, "rt") as f:
        text = f.read()
    text = re.sub(r"\\f[BIRP]|\\/|\\,", "", text)
    return text.replace("\\-", "-")


def help_words(program, *args):
    """Option names and subcommands from `program args --help` (CLI11 or Qt's parser)."""
    out = run([program, *args, "--help"]).stdout
    words, section = set(), None
    for line in out.splitlines():
        if re.match(r"^[A-Za-z][A-Za-z ]*:$", line):
            section = line[:-1]
            continue
        m = re.match(r"^\s{2}(\S.*?)(\s{2,}|$)", line)
        if not m:
            continue
        head = m.group(1)
        if section == "Subcommands":
            words.add(head.split()[0])
        for name in re.findall(r"(?:(?<=^)|(?<=[ ,]))(--?[A-Za-z][\w-]*)", head):
            words.add(name)
    return words


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_range(n=10):
    """The first of n ports that are free now, below the ephemeral range (where a client's
    connection elsewhere could take one while a worker restarts) and clear of the fixed ports
    of the other tests, which may run alongside."""
    for _ in range(200):
        base = random.randrange(22000, 23400 - n, 10)
        try:
            for port in range(base, base + n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free range of ports in 22000-23400")


class Unpacked:
    """cpack's output, made once for every test: the .debs unpacked, the tarball."""
    tmp = None
    deb = {}
    root = {}
    tarball = []


def setUpModule():
    Unpacked.tmp = tempfile.mkdtemp(prefix="drover-pkg-")
    os.chmod(Unpacked.tmp, 0o755)  # the unprivileged droverd below reads the unpacked tree
    out = PACKAGES
    for deb in glob.glob(os.path.join(out, "*.deb")):
        name = control(deb, "Package")
        Unpacked.deb[name] = deb
        Unpacked.root[name] = os.path.join(Unpacked.tmp, "root-" + name)
        run(["dpkg-deb", "-x", deb, Unpacked.root[name]])
    Unpacked.tarball = glob.glob(os.path.join(out, "*.tar.gz"))


def tearDownModule():
    shutil.rmtree(Unpacked.tmp, ignore_errors=True)


class Packages(unittest.TestCase):
    def setUp(self):
        self.tmp, self.deb, self.root, self.tarball = (Unpacked.tmp, Unpacked.deb, Unpacked.root,
                                                        Unpacked.tarball)

    def path(self, package, relative):
        p = os.path.join(self.root[package], relative.lstrip("/"))
        self.assertTrue(os.path.exists(p), f"{package} has no {relative}")
        return p

    def test_two_packages_and_a_tarball(self):
        self.assertEqual(set(self.deb), {"drover", "droverd"})
        self.assertEqual(len(self.tarball), 1)
        for name, deb in self.deb.items():
            self.assertEqual(control(deb, "Version"), VERSION + "-1")
            self.assertEqual(control(deb, "Architecture"), "amd64")

    def test_contents(self):
        for rel in ["usr/bin/droverd", "usr/bin/droverctl", "etc/drover/drover.yaml",
                    "usr/lib/systemd/system/droverd.service", "usr/share/man/man8/droverd.8.gz",
                    "usr/share/man/man1/droverctl.1.gz", "usr/share/bash-completion/completions/droverctl",
                    "usr/share/drover/examples/minimal.yaml", "usr/share/doc/droverd/copyright",
                    "usr/share/doc/droverd/changelog.Debian.gz"]:
            self.path("droverd", rel)
        for rel in ["usr/bin/drover", "usr/bin/drover-demo-worker", "usr/share/applications/drover.desktop",
                    "usr/share/icons/hicolor/scalable/apps/drover.svg", "usr/share/man/man1/drover.1.gz",
                    "usr/share/man/man1/drover-demo-worker.1.gz", "usr/share/drover/translations/drover_de.qm",
                    "usr/share/drover/translations/drover_en.qm", "usr/share/doc/drover/copyright"]:
            self.path("drover", rel)
        for size in (16, 24, 32, 48, 64, 128, 256):
            png = self.path("drover", f"usr/share/icons/hicolor/{size}x{size}/apps/drover.png")
            with open(png, "rb") as f:
                head = f.read(24)
            self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
            self.assertEqual((int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")),
                             (size, size), png)
        # /etc/drover/drover.yaml is a conffile: dpkg keeps an administrator's changes.
        conffiles = run(["dpkg-deb", "--info", self.deb["droverd"], "conffiles"]).stdout.split()
        self.assertEqual(conffiles, ["/etc/drover/drover.yaml"])
        # Nothing of the console on a server, nothing of the master in the console's package.
        self.assertFalse(glob.glob(os.path.join(self.root["droverd"], "usr/bin/drover")))
        self.assertFalse(glob.glob(os.path.join(self.root["drover"], "usr/bin/droverd")))

    def test_programs_run(self):
        for package, program in [("droverd", "droverd"), ("droverd", "droverctl"),
                                 ("drover", "drover"), ("drover", "drover-demo-worker")]:
            out = run([self.path(package, "usr/bin/" + program), "--version"]).stdout
            self.assertIn(VERSION, out, program)
        droverd = self.path("droverd", "usr/bin/droverd")
        default = run([droverd, "--check", self.path("droverd", "etc/drover/drover.yaml")]).stdout
        self.assertIn("ok (0 pools", default)
        with open(self.path("droverd", "etc/drover/drover.yaml")) as f:
            self.assertRegex(f.read(), r"(?m)^  listen: 127\.0\.0\.1:7700$")  # loopback only
        examples = sorted(glob.glob(os.path.join(self.root["droverd"], "usr/share/drover/examples/*.yaml")))
        self.assertGreaterEqual(len(examples), 10)
        for example in examples:
            self.assertIn(": ok (", run([droverd, "--check", example]).stdout, example)

    def test_console_reads_installed_translations(self):
        drover = self.path("drover", "usr/bin/drover")
        installed = self.path("drover", "usr/share/drover/translations/drover_de.qm")
        german = run([drover, "--lang", "de", "--help"]).stdout
        english = run([drover, "--lang", "en", "--help"]).stdout
        self.assertIn("Drover console: workers, pools and health at a glance.", english)
        self.assertNotEqual(german, english)
        # A catalogue dropped into share/drover/translations wins over the built-in one.
        ts = os.path.join(self.tmp, "drover_de.ts")
        with open(ts, "w") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                    '<TS version="2.1" language="de"><context><name>main</name><message>'
                    '<source>Drover console: workers, pools and health at a glance.</source>'
                    '<translation>Aus dem installierten Katalog.</translation></message>'
                    '</context></TS>\n')
        shutil.copy(installed, installed + ".orig")
        try:
            run([LRELEASE, "-silent", ts, "-qm", installed])
            self.assertIn("Aus dem installierten Katalog.",
                          run([drover, "--lang", "de", "--help"]).stdout)
        finally:
            os.replace(installed + ".orig", installed)

    def test_tarball(self):
        tree = os.path.join(self.tmp, "tgz")
        os.makedirs(tree)
        run(["tar", "-xzf", self.tarball[0], "-C", tree, "--strip-components=1"])
        for rel in ["bin/droverd", "bin/droverctl", "bin/drover", "bin/drover-demo-worker",
                    "etc/drover/drover.yaml", "lib/systemd/system/droverd.service",
                    "share/man/man8/droverd.8.gz", "share/drover/examples/demo.yaml"]:
            self.assertTrue(os.path.exists(os.path.join(tree, rel)), rel)
        self.assertIn(VERSION, run([os.path.join(tree, "bin/droverd"), "--version"]).stdout)

    def test_man_pages_match_help(self):
        pages = [("droverd", "droverd", "usr/share/man/man8/droverd.8.gz"),
                 ("droverd", "droverctl", "usr/share/man/man1/droverctl.1.gz"),
                 ("drover", "drover", "usr/share/man/man1/drover.1.gz"),
                 ("drover", "drover-demo-worker", "usr/share/man/man1/drover-demo-worker.1.gz")]
        for package, program, page in pages:
            text = man_text(self.path(package, page))
            words = help_words(self.path(package, "usr/bin/" + program))
            self.assertGreaterEqual(len(words), 4, program)
            missing = sorted(w for w in words if not re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))
            self.assertEqual(missing, [], f"{page} does not mention what `{program} --help` lists")
            self.assertIn(VERSION, text)
        # The manual page says what the signals do, as the unit relies on them.
        text = man_text(self.path("droverd", "usr/share/man/man8/droverd.8.gz"))
        for sig in ("SIGTERM", "SIGHUP", "SIGUSR2"):
            self.assertIn(sig, text)

    def test_completion_offers_what_droverctl_has(self):
        droverctl = self.path("droverd", "usr/bin/droverctl")
        script = self.path("droverd", "usr/share/bash-completion/completions/droverctl")

        def complete(*words):
            line = " ".join(f"'{w}'" for w in (droverctl,) + words)
            out = run(["bash", "-c", f"source '{script}'; COMP_WORDS=({line}); "
                       f"COMP_CWORD={len(words)}; _droverctl; printf '%s\\n' \"${{COMPREPLY[@]}}\""]).stdout
            return set(out.split())

        top = {w for w in help_words(droverctl) if not w.startswith("-")}
        self.assertIn("rollout", top)
        self.assertEqual(complete(""), top)
        self.assertEqual(complete("rollout", ""),
                         {w for w in help_words(droverctl, "rollout") if not w.startswith("-")})
        self.assertEqual(complete("job", ""), {"ls", "run", "history", "cancel"})
        self.assertIn("--follow", complete("logs", "--f"))
        self.assertEqual(complete("--mas"), {"--master"})

    def test_dependencies(self):
        for name, deb in self.deb.items():
            depends = depends_packages(deb)
            for elf in glob.glob(os.path.join(self.root[name], "usr/bin/*")):
                for soname in needed_libraries(elf):
                    owners = package_of_library(soname)
                    self.assertIsNotNone(owners, f"no package on this machine ships {soname}")
                    self.assertTrue(owners & depends, f"{name}'s Depends lacks {owners} ({soname}, "
                                                      f"needed by {os.path.basename(elf)})")
        # apt can satisfy them (a simulation on this machine's package lists: every name exists
        # or is provided, every version is there).
        r = run(["apt-get", "-s", "-o", "Debug::NoLocking=1", "install", *self.deb.values()],
                check=False, env=dict(ENV, DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for name in self.deb:
            self.assertRegex(r.stdout, rf"(?m)^Inst {re.escape(name)} ")
        master = depends_packages(self.deb["droverd"])
        self.assertFalse([d for d in master if d.startswith("libqt")], master)
        self.assertIn("adduser", master)
        self.assertIn("libqt6widgets6", depends_packages(self.deb["drover"]))

    def test_lintian(self):
        r = run(["lintian", "--tag-display-limit", "0", *self.deb.values()], check=False)
        print(r.stdout, end="", flush=True)
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [])

    def test_desktop_entry(self):
        desktop = self.path("drover", "usr/share/applications/drover.desktop")
        r = run(["desktop-file-validate", desktop], check=False)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
        with open(desktop) as f:
            entry = f.read()
        self.assertIn("\nExec=drover\n", entry)
        self.assertIn("\nIcon=drover\n", entry)

    def test_unit(self):
        unit = self.path("droverd", "usr/lib/systemd/system/droverd.service")
        with open(unit) as f:
            text = f.read()
        settings = dict(re.findall(r"(?m)^(\w+)=(.*)$", text))
        # What keeps the workers across a crash, an upgrade and a restart of droverd.
        self.assertEqual(settings["KillMode"], "process")
        self.assertEqual(settings["Restart"], "on-failure")
        self.assertEqual(settings["RestartForceExitStatus"], "75")
        self.assertEqual(settings["SuccessExitStatus"], "75")
        self.assertEqual(settings["ExecReload"], "/bin/kill -HUP $MAINPID")
        self.assertEqual(settings["User"], "drover")
        self.assertEqual(settings["StateDirectory"], "drover")
        self.assertEqual(settings["ProtectSystem"], "strict")
        self.assertEqual(settings["NoNewPrivileges"], "yes")
        for program in re.findall(r"(?m)^Exec\w+=(\S+)", text):
            if program.startswith("/usr/bin/drover"):
                self.path("droverd", program)
        for page, section in re.findall(r"man:([\w-]+)\((\d)\)", text):
            self.path("droverd", f"usr/share/man/man{section}/{page}.{section}.gz")
        # systemd-analyze verify, with the programs where the package puts them.
        copy = os.path.join(self.tmp, "droverd.service")
        with open(copy, "w") as f:
            f.write(text.replace("/usr/bin/droverd", self.path("droverd", "usr/bin/droverd")))
        r = run(["systemd-analyze", "verify", "--man=no", copy], check=False)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
        r = run(["systemd-analyze", "security", "--offline=true", unit])
        score = re.search(r"Overall exposure level for droverd\.service: ([\d.]+) (\w+)", r.stdout)
        self.assertIsNotNone(score, r.stdout)
        print(f"RESULT test=package unit_exposure={score.group(1)} level={score.group(2)}", flush=True)
        self.assertLessEqual(float(score.group(1)), 4.0)

    def test_maintainer_scripts(self):
        info = os.path.join(self.tmp, "control-droverd")
        run(["dpkg-deb", "-e", self.deb["droverd"], info])
        for script in ("postinst", "prerm", "postrm"):
            run(["sh", "-n", os.path.join(info, script)])
        with open(os.path.join(info, "postinst")) as f:
            postinst = f.read()
        # An upgrade hands over (SIGUSR2) instead of restarting; the user is made once.
        self.assertIn("--signal=SIGUSR2 droverd.service", postinst)
        self.assertIn("adduser --system --group", postinst)
        with open(os.path.join(info, "prerm")) as f:
            self.assertIn('[ "$1" = remove ]', f.read())


class UnitKeepsWorkers(unittest.TestCase):
    """droverd from the package, run as its unit runs it, in a group of its own."""

    def setUp(self):
        self.droverd = os.path.join(Unpacked.root["droverd"], "usr/bin/droverd")
        self.droverctl = os.path.join(Unpacked.root["droverd"], "usr/bin/droverctl")
        worker = os.path.join(Unpacked.root["drover"], "usr/bin/drover-demo-worker")
        self.state = os.path.join(Unpacked.tmp, "state")
        os.makedirs(self.state, exist_ok=True)
        self.port = free_port()
        first = free_range()
        self.config = os.path.join(Unpacked.tmp, "drover.yaml")
        with open(self.config, "w") as f:
            f.write(f"""version: 1
master: {{listen: 127.0.0.1:{self.port}, state_dir: {self.state}}}
pools:
  - name: web
    command: ["{worker}", "--port", "{{{{port}}}}", "--quiet"]
    ports: {first}-{first + 9}
    replicas: 2
    limits: {{memory: 512Mi, cpu: 2, pids: 64}}
    probes:
      readiness: {{http: {{url: "http://127.0.0.1:{{{{port}}}}/ready"}}, interval: 200ms}}
  - name: ticker
    command: ["/bin/sh", "-c", "while :; do echo tick; sleep 0.2; done"]
""")
        # User=: an unprivileged user when we are root (nobody), NoNewPrivileges=yes.
        self.user = []
        if os.geteuid() == 0:
            os.chown(self.state, 65534, 65534)
            self.user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         "--no-new-privs"]
        else:
            self.user = ["setpriv", "--no-new-privs"]
        self.cgroup = self.make_cgroup()
        self.delegated = self.delegate_v1() if os.geteuid() == 0 else {}
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(30)
        if self.cgroup:
            for pid in self.cgroup_pids():
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.cgroup_pids() and time.monotonic() < deadline:
                time.sleep(0.05)
            os.rmdir(self.cgroup)
        for group in self.delegated.values():
            for dirpath, _, _ in sorted(os.walk(group), key=lambda w: -len(w[0])):
                os.rmdir(dirpath)

    def delegate_v1(self):
        """The unit's group in each v1 controller, delegated to the unit's user as systemd's
        Delegate=yes does on a hybrid machine (the directory and its cgroup.procs chowned)."""
        groups = {}
        for controller in ("memory", "cpu", "pids"):
            mount = f"/sys/fs/cgroup/{controller}"
            if not os.path.exists(os.path.join(mount, "cgroup.procs")) or \
                    os.path.exists(os.path.join(mount, "cgroup.subtree_control")):
                continue
            if any(os.path.samefile(mount, g) for g in groups.values() if os.path.exists(g)):
                continue  # co-mounted (cpu,cpuacct)
            group = os.path.join(mount, f"drover-pkgtest-{os.getpid()}.service")
            try:
                os.mkdir(group)
            except OSError as e:
                print(f"no delegated {controller} group: {e}", flush=True)
                continue
            for path in (group, os.path.join(group, "cgroup.procs"), os.path.join(group, "tasks")):
                os.chown(path, 65534, 65534)
            groups[controller] = group
        return groups

    def make_cgroup(self):
        """The service's group: a cgroup v2 directory, as systemd makes one per unit."""
        for base in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
            if os.path.exists(os.path.join(base, "cgroup.procs")) and \
                    os.path.exists(os.path.join(base, "cgroup.subtree_control")):
                path = os.path.join(base, f"drover-pkgtest-{os.getpid()}.service")
                try:
                    os.mkdir(path)
                    return path
                except OSError as e:
                    print(f"no group of its own for droverd: {path}: {e}", flush=True)
                    return None
        print("no group of its own for droverd: no cgroup v2 hierarchy here", flush=True)
        return None

    def cgroup_pids(self):
        if not self.cgroup:
            return set()
        with open(os.path.join(self.cgroup, "cgroup.procs")) as f:
            return {int(x) for x in f.read().split()}

    def start(self, n):
        cgroup = self.cgroup

        groups = ([cgroup] if cgroup else []) + list(self.delegated.values())

        def into_group():
            for group in groups:
                with open(os.path.join(group, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))

        with open(os.path.join(Unpacked.tmp, f"droverd-{n}.err"), "w") as err:
            p = subprocess.Popen(self.user + [self.droverd, "--config", self.config], stdout=err,
                                 stderr=subprocess.STDOUT, preexec_fn=into_group, env=ENV)
        self.procs.append(p)
        return p

    def log(self, n):
        with open(os.path.join(Unpacked.tmp, f"droverd-{n}.err")) as f:
            return f.read()

    def workers(self):
        r = run([self.droverctl, "--master", f"ws://127.0.0.1:{self.port}", "--json", "workers"],
                check=False)
        if r.returncode != 0:
            return None
        return {w["id"]: w for w in json.loads(r.stdout)}

    def wait_running(self, pids=None, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ws = self.workers()
            if ws and len(ws) == 3 and all(w["state"] in ("ready", "running") for w in ws.values()) \
                    and ws["web-0"]["state"] == "ready" and ws["web-1"]["state"] == "ready":
                found = {i: w["pid"] for i, w in ws.items()}
                if pids is None or found == pids:
                    return found
            time.sleep(0.1)
        self.fail(f"workers not running as expected: {self.workers()} (wanted pids {pids})")

    def check_limits(self, pids):
        """Run as the unit's user, droverd cannot write the hierarchies' roots: the web
        workers' limits are applied in groups made inside the group delegated to it."""
        ws = self.workers()
        for worker in ("web-0", "web-1"):
            if not self.delegated:
                print(f"{worker}: no delegated groups here; limits: {ws[worker]['limits']}, "
                      f"problems: {ws[worker]['limit_problems']}", flush=True)
                continue
            self.assertEqual(ws[worker]["limit_problems"], [], worker)
            # (a re-adopted worker's limits are read back from its groups)
            self.assertEqual(len(ws[worker]["limits"]), len(self.delegated), ws[worker]["limits"])
            for group in self.delegated.values():
                with open(os.path.join(group, "drover", worker, "cgroup.procs")) as f:
                    self.assertIn(str(pids[worker]), f.read().split(), f"{worker} in {group}")
        if "memory" in self.delegated:
            with open(os.path.join(self.delegated["memory"], "drover/web-0/memory.limit_in_bytes")) as f:
                self.assertEqual(int(f.read()), 512 << 20)

    @staticmethod
    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            return False

    def test_crash_upgrade_and_stop(self):
        first = self.start(1)
        pids = self.wait_running()
        if self.cgroup:
            self.assertTrue(set(pids.values()) <= self.cgroup_pids(), "workers are in the unit's group")
        self.check_limits(pids)

        # A crash: SIGKILL to droverd alone (KillMode=process kills nothing else).
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        for worker, pid in pids.items():
            self.assertTrue(self.alive(pid), f"{worker} died with droverd")
        # Restart=on-failure starts droverd again in the same group: same workers, same pids.
        second = self.start(2)
        self.assertEqual(self.wait_running(pids), pids)
        for worker, pid in pids.items():
            self.assertIn(f"worker.readopted worker={worker} pid={pid}", self.log(2))

        # A package upgrade: SIGUSR2, droverd exits 75 and leaves the workers;
        # RestartForceExitStatus=75 starts the new one.
        second.send_signal(signal.SIGUSR2)
        self.assertEqual(second.wait(10), 75)
        self.assertIn("master.handover", self.log(2))
        for worker, pid in pids.items():
            self.assertTrue(self.alive(pid), f"{worker} died with the hand-over")
        third = self.start(3)
        self.assertEqual(self.wait_running(pids), pids)
        self.check_limits(pids)

        # systemctl stop: SIGTERM to droverd, which stops every worker, then exits 0.
        third.send_signal(signal.SIGTERM)
        self.assertEqual(third.wait(30), 0)
        for worker, pid in pids.items():
            self.assertFalse(self.alive(pid), f"{worker} still runs after the stop")
        if self.cgroup:
            self.assertEqual(self.cgroup_pids(), set(), "processes left in the unit's group")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
