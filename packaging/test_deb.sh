#!/usr/bin/env bash
# The Debian packages, as an ops or C++ team uses them (after `make deb`; installs into the system:
# root or sudo, meant for CI's throwaway machine; installed libsac0 and libsac-dev are purged first,
# and again at the end, even on failure):
#  1. lintian: no errors; libsac0 depends on libjson-c5 (from dh_shlibdeps), libsac-dev on libsac0;
#  2. `apt-get install ./libsac0_*.deb ./libsac-dev_*.deb`: the library under its SONAME in the
#     loader's cache;
#  3. an example built with `pkg-config --cflags --libs sac` alone (no PKG_CONFIG_PATH, no rpath)
#     trains and saves a policy, and infer loads it; bindings/c/cmake-consumer configured with no
#     CMAKE_PREFIX_PATH finds the package under /usr, builds and runs;
#  4. `apt-get purge` both: the file lists of /usr, /etc, /opt and dpkg's database before
#     installing and after purging are the same (Python's __pycache__ folders aside: any python3 run
#     as root may add some).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
version=$(sed -n 's/^#define SAC_VERSION_STRING "\(.*\)"/\1/p' include/sac.h)
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
export DEBIAN_FRONTEND=noninteractive

work=$(mktemp -d)
passed=0
failed=0
step() { echo "== $*"; }
ok() { passed=$((passed + 1)); echo "   ok: $*"; }
fail() { failed=$((failed + 1)); echo "   FAIL: $*"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed'; }
purge() { $SUDO apt-get purge -y -qq libsac-dev libsac0 > "$work/purge.log" 2>&1; }
cleanup() { if installed libsac0 || installed libsac-dev; then purge || true; fi; rm -rf "$work"; }
trap cleanup EXIT
files() { find /usr /etc /opt /var/lib/dpkg/info -xdev -path '*/__pycache__' -prune -o -print 2>/dev/null | sort; }

shopt -s nullglob
debs=(dist/libsac0_"$version"-*_amd64.deb dist/libsac-dev_"$version"-*_amd64.deb)
[ ${#debs[@]} = 2 ] || { echo "expected libsac0 and libsac-dev $version in dist/, found: ${debs[*]:-none}"; exit 1; }

step "the packages: ${debs[*]}"
if lintian --fail-on error "${debs[@]}" > "$work/lintian.log" 2>&1; then
    ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
else
    fail "lintian"; cat "$work/lintian.log"
fi
depends=$(dpkg-deb -f "${debs[0]}" Depends)
[[ "$depends" == *"libjson-c5 ("* ]] && ok "libsac0 Depends: $depends" || fail "libsac0 Depends: $depends"
dev_depends=$(dpkg-deb -f "${debs[1]}" Depends)
[[ "$dev_depends" == *"libsac0 (= "* ]] && ok "libsac-dev Depends: $dev_depends" || fail "libsac-dev Depends: $dev_depends"

step "apt-get install"
if installed libsac0 || installed libsac-dev; then purge; fi  # a leftover of an interrupted run
files > "$work/before.txt"
if $SUDO apt-get install -y -qq "${debs[@]/#/./}" > "$work/install.log" 2>&1; then
    ok "both installed"
else
    fail "apt-get install"; cat "$work/install.log"
fi
ldconfig -p | grep -q 'libsac\.so\.0 .*/x86_64-linux-gnu/libsac\.so\.0$' && ok "libsac.so.0 in the loader's cache" \
    || fail "libsac.so.0 not in the loader's cache"

step "an example built with pkg-config, against /usr"
cd "$work"  # nothing from the checkout but the example sources
env -u PKG_CONFIG_PATH pkg-config --modversion sac | grep -qx "$version" && ok "pkg-config --modversion sac: $version" \
    || fail "pkg-config --modversion sac"
build() { env -u PKG_CONFIG_PATH sh -c "cc -std=c99 -O2 -Wall -Werror \$(pkg-config --cflags sac) $1 -o $2 \$(pkg-config --libs sac) -lm"; }
if build "$repo/bindings/c/examples/train_pendulum.c" train_pendulum && build "$repo/bindings/c/examples/infer.c" infer; then
    ok "train_pendulum.c and infer.c built"
else
    fail "building with pkg-config"
fi
[ -x train_pendulum ] && ldd train_pendulum | grep -q 'libsac\.so\.0 => /.*x86_64-linux-gnu/libsac\.so\.0' \
    && ok "libsac.so.0 resolved from the system: $(ldd train_pendulum | grep -o 'libsac.so.0 => [^ ]*')" \
    || fail "libsac.so.0 not resolved from the system"
{ ./train_pendulum 600 1 policy.json > demo.log || [ $? = 1 ]; } 2>/dev/null  # 1 = not solved in 600 steps
grep -q "final evaluation" demo.log && [ -f policy.json ] && ok "train_pendulum trained and saved a policy" \
    || fail "train_pendulum"
[ -x infer ] && printf '1 0 0\n' | ./infer policy.json | grep -q . && ok "infer loaded it and acted" || fail "infer"

step "bindings/c/cmake-consumer, with no CMAKE_PREFIX_PATH"
if cmake -S "$repo/bindings/c/cmake-consumer" -B cmake-build > configure.log 2>&1 \
    && cmake --build cmake-build > build.log 2>&1; then
    ok "found $(sed -n 's/^sac_DIR:PATH=//p' cmake-build/CMakeCache.txt), built"
else
    fail "configure or build"; cat configure.log build.log 2>/dev/null
fi
[ -x cmake-build/sac_consumer ] && cmake-build/sac_consumer consumer-policy.json > consumer.log 2>&1 \
    && ok "trained, saved and loaded: $(tail -1 consumer.log)" || { fail "sac_consumer"; cat consumer.log; }
cd "$repo"

step "apt-get purge"
purge && ! installed libsac0 && ! installed libsac-dev && ok "both purged" || { fail "apt-get purge"; cat "$work/purge.log"; }
! ldconfig -p | grep -q libsac && ok "libsac gone from the loader's cache" || fail "libsac still in the loader's cache"
files > "$work/after.txt"
if diff "$work/before.txt" "$work/after.txt" > "$work/left.txt"; then
    ok "the file lists before installing and after purging are the same ($(wc -l < "$work/before.txt") paths)"
else
    fail "files differ after purging:"; head -20 "$work/left.txt"
fi

echo "Debian packages: $passed passed, $failed failed"
[ "$failed" = 0 ]
