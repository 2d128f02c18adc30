#!/usr/bin/env python3
"""The .deb packages installed with apt into a clean Debian 12 root.

A minimal Debian 12 root made with debootstrap (kept in CACHE_DIR for the next run), copied,
then in a chroot: `apt-get install ./droverd_*.deb` pulls what the master needs and no Qt,
makes the drover user and the config's owner, and `droverd --version` and `--check` run;
`apt-get install ./drover_*.deb` pulls the console's libraries and `drover --version` runs;
`apt-get purge droverd` removes the state directory and the config.

usage: tst_install.py PACKAGES_DIR CACHE_DIR   (as root: debootstrap and chroot need it)
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from debianroot import chroot, minimal_root, run

PACKAGES = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath("build/packages")
CACHE = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.abspath("build")


class CleanDebian(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cached = minimal_root(CACHE)
        cls.tmp = tempfile.mkdtemp(prefix="drover-install-")
        cls.root = os.path.join(cls.tmp, "root")
        run(["cp", "-a", cached, cls.root])
        for deb in glob.glob(os.path.join(PACKAGES, "*.deb")):
            shutil.copy(deb, os.path.join(cls.root, "tmp"))
        run(["mount", "-t", "proc", "proc", os.path.join(cls.root, "proc")])
        cls.chroot("apt-get update -qq")

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", os.path.join(cls.root, "proc")])
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def chroot(cls, script, check=True):
        return chroot(cls.root, script, check)

    def installed(self):
        out = self.chroot("dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n'").stdout
        return {line.split()[1] for line in out.splitlines() if line.startswith("ii")}

    def test_1_master_package(self):
        before = self.installed()
        started = time.monotonic()
        self.chroot("apt-get install -y -qq --no-install-recommends /tmp/droverd_*.deb")
        print(f"apt-get install ./droverd: {time.monotonic() - started:.1f} s, "
              f"{len(self.installed() - before)} packages", flush=True)
        added = self.installed() - before
        self.assertIn("droverd", added)
        self.assertFalse([p for p in added if p.startswith("libqt")], added)
        self.assertIn("droverd 0.", self.chroot("droverd --version").stdout)
        self.assertIn("ok (0 pools", self.chroot("droverd --check /etc/drover/drover.yaml").stdout)
        self.assertIn("ok (", self.chroot("droverd --check /usr/share/drover/examples/minimal.yaml").stdout)
        self.assertIn("droverctl 0.", self.chroot("droverctl --version").stdout)
        user = self.chroot("getent passwd drover").stdout
        self.assertRegex(user, r"^drover:x:\d+:\d+:Drover master[^:]*:/var/lib/drover:/usr/sbin/nologin")
        self.assertEqual(self.chroot("stat -c '%U:%G %a' /etc/drover /etc/drover/drover.yaml").stdout,
                         "root:drover 2770\nroot:drover 660\n")
        self.assertIn("/etc/drover/drover.yaml", self.chroot("cat /var/lib/dpkg/info/droverd.conffiles").stdout)

    def test_2_console_package(self):
        before = self.installed()
        started = time.monotonic()
        self.chroot("apt-get install -y -qq --no-install-recommends /tmp/drover_*.deb")
        added = self.installed() - before
        print(f"apt-get install ./drover: {time.monotonic() - started:.1f} s, {len(added)} packages",
              flush=True)
        self.assertIn("drover", added)
        self.assertIn("libqt6widgets6", added)
        self.assertIn("drover 0.", self.chroot("drover --version").stdout)
        self.assertIn("drover-demo-worker 0.", self.chroot("drover-demo-worker --version").stdout)

    def test_3_purge(self):
        self.chroot("mkdir -p /var/lib/drover/logs && touch /var/lib/drover/logs/x.log")
        self.chroot("apt-get purge -y -qq droverd")
        self.assertNotIn("droverd", self.installed())
        self.assertFalse(os.path.exists(os.path.join(self.root, "var/lib/drover")))
        self.assertFalse(os.path.exists(os.path.join(self.root, "etc/drover")))
        self.assertFalse(os.path.exists(os.path.join(self.root, "usr/bin/droverd")))


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("tst_install: not run: debootstrap and chroot need root (run the tests as root, "
              "or through sudo)", flush=True)
        sys.exit(77)
    unittest.main(argv=sys.argv[:1], verbosity=2)
