#!/usr/bin/env bash
# Drover set-up: installs the Debian packages that are missing, configures and builds.
#   ./setup.sh run    build, then start the console on the embedded demo master
#   ./setup.sh test   build, then run every test through CTest
#   ./setup.sh build  only install and build
# Idempotent and non-interactive; uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
shift || true

packages=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qtkeychain-qt6-dev libqt6svg6
  libboost-dev libssl-dev libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev libcli11-dev
  libnghttp2-dev libgrpc++-dev libhowardhinnant-date-dev tzdata
  fonts-dejavu-core
  # The installer's man pages (from --help) and icon sizes (from the SVG); `cpack` needs dpkg-dev
  # (dpkg-shlibdeps) and file.
  help2man librsvg2-bin dpkg-dev file
)
if [[ $mode == test ]]; then
  # The loader's libFuzzer target needs clang and its runtime; curl talks to the demo worker;
  # promtool (Debian's prometheus package) checks droverd's /metrics; tst_package lints the
  # packages, validates the desktop entry and the systemd unit, and tst_install installs them
  # into a clean Debian 12 root made by debootstrap, and tst_systemd boots one with
  # systemd-nspawn to run droverd.service under a real systemd. tst_containers runs container
  # workers through podman (runc: crun refuses this machine kind's hybrid cgroups; netavark
  # and iptables for a private network; busybox-static for the image it makes; uidmap,
  # fuse-overlayfs and slirp4netns for droverd run rootless by a user of its own). tst_fleet
  # starts etcd (etcd-server; on a machine with systemd, the package also enables its own
  # one-node etcd.service on localhost:2379, which the tests do not use).
  packages+=(clang libclang-rt-14-dev clang-format curl prometheus
             python3 lintian desktop-file-utils systemd systemd-container debootstrap
             podman runc netavark iptables busybox-static uidmap fuse-overlayfs slirp4netns
             etcd-server)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

# `run` and `build` make the optimized build in build/. `test` makes one build of its own in
# build-asan/: every target (console, tests, benchmarks) with AddressSanitizer and
# UndefinedBehaviorSanitizer at -O0 with line tables only (-g1: all a sanitizer report needs;
# the Beast-heavy files compile in half the time of -O1), and runs every test on it once.
# DROVER_SANITIZE_TESTS=0 tests the optimized build instead.
sanitize=0
if [[ $mode == test && ${DROVER_SANITIZE_TESTS:-1} != 0 ]]; then
  sanitize=1
  build_dir=${DROVER_BUILD_DIR:-build-asan}
else
  build_dir=${DROVER_BUILD_DIR:-build}
fi
cmake_args=(-S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}")
if command -v ccache >/dev/null; then
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so that another clone (CI's) hits the same cache entries.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
fi
[[ ${CI:-} == true ]] && cmake_args+=(-DDROVER_WERROR=ON)
if ((sanitize)); then
  cmake_args+=(-DDROVER_SANITIZE=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1"
               -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O0 -g1")
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

case $mode in
  run)
    exec "$build_dir/bin/drover" "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
    started=$SECONDS
    (cd "$build_dir" && ctest --output-on-failure -j"$(nproc)" "$@")
    echo "setup: tests took $((SECONDS - started)) s"
    ;;
  build) ;;
  *)
    echo "usage: $0 run|test|build" >&2
    exit 2
    ;;
esac
