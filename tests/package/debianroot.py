"""Shared by the package tests that need a Debian 12 root: commands, and the root itself."""
import os
import shutil
import subprocess
import time

MIRROR = os.environ.get("DROVER_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def run(cmd, check=True, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def minimal_root(cache_dir):
    """A minbase Debian 12 root made by debootstrap, kept in cache_dir for the next run."""
    cached = os.path.join(cache_dir, "debian12-minbase")
    if not os.path.exists(os.path.join(cached, "etc/debian_version")):
        started = time.monotonic()
        shutil.rmtree(cached + ".tmp", ignore_errors=True)
        run(["debootstrap", "--variant=minbase", "bookworm", cached + ".tmp", MIRROR])
        os.rename(cached + ".tmp", cached)
        print(f"debootstrap took {time.monotonic() - started:.0f} s", flush=True)
    return cached


def chroot(root, script, check=True):
    return run(["chroot", root, "sh", "-ec",
                "export DEBIAN_FRONTEND=noninteractive QT_QPA_PLATFORM=offscreen "
                "ASAN_OPTIONS=detect_leaks=0 PATH=/usr/sbin:/usr/bin:/sbin:/bin\n" + script],
               check=check)


if __name__ == "__main__":
    # The CTest fixture debian_root: make the cached root once, before the tests that use it.
    import sys

    if os.geteuid() != 0:
        print("debian_root: not made: debootstrap needs root", flush=True)
        sys.exit(77)
    print(minimal_root(os.path.abspath(sys.argv[1])), flush=True)
