#!/usr/bin/env bash
# The binary wheel alone suffices (after `make wheel`; root or sudo for the mount namespace):
#  1. dist/ holds one libsac-VERSION-py3-none-manylinux_*_x86_64.whl, and `auditwheel show` names its
#     tag, which is also the one that the newest GLIBC_2.N symbol version of its libsac.so allows;
#  2. inside: libsac.so, json-c under libsac.libs/, libsac.so pointing at that copy (NEEDED, RUNPATH);
#  3. the sdist builds a wheel with Swift, from nothing but itself;
#  4. in a mount namespace where the repository (and so its .build), the Swift toolchain and the
#     system's json-c are hidden (tmpfs over the first two, /dev/null bound over json-c's files:
#     loading them fails, which a control checks), a fresh virtualenv installs the wheel from /tmp and
#     trains, saves and loads a policy; the process maps the bundled json-c, and the console script runs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
version=$(sed -n 's/^#define SAC_VERSION_STRING "\(.*\)"/\1/p' include/sac.h)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$work" in "$repo"/*) echo "TMPDIR is inside the repository, which the test hides: set it elsewhere"; exit 1;; esac
passed=0
failed=0
step() { echo "== $*"; }
ok() { passed=$((passed + 1)); echo "   ok: $*"; }
fail() { failed=$((failed + 1)); echo "   FAIL: $*"; }
finish() { echo "wheel: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

step "the wheel and its tag"
shopt -s nullglob
wheels=(dist/libsac-"$version"-py3-none-manylinux_*_x86_64.whl)
if [ ${#wheels[@]} = 1 ]; then ok "${wheels[0]}"; else fail "expected one wheel in dist/, found: ${wheels[*]:-none}"; finish; fi
wheel=${wheels[0]}
tag=${wheel##*-py3-none-}
tag=${tag%.whl}
# auditwheel wraps its lines: join them before matching.
shown=$(PATH="$repo/.venv-packaging/bin:$PATH" auditwheel show "$wheel" | tr -s ' \n' '  ')
if [[ "$shown" == *"is consistent with the following platform tag: \"$tag\""* ]]; then
    ok "auditwheel show: consistent with $tag"
else
    fail "auditwheel show does not name $tag: $shown"
fi
unzip -q "$wheel" -d "$work/unpacked"
glibc=$(objdump -T "$work/unpacked/libsac/_native/libsac.so" | grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2 -n | tail -1)
[ "$tag" = "manylinux_2_${glibc#GLIBC_2.}_x86_64" ] && ok "$tag matches the newest glibc symbol version, $glibc" \
    || fail "$tag, but the newest glibc symbol version is $glibc"

step "its contents"
jsonc=("$work"/unpacked/libsac.libs/libjson-c-*.so*)
[ ${#jsonc[@]} = 1 ] && ok "bundled json-c: libsac.libs/$(basename "${jsonc[0]}")" || fail "no json-c in libsac.libs/"
dynamic=$(readelf -d "$work/unpacked/libsac/_native/libsac.so")
if [ ${#jsonc[@]} = 1 ] && grep -q "NEEDED.*\[$(basename "${jsonc[0]}")\]" <<< "$dynamic" \
    && ! grep -q 'NEEDED.*\[libjson-c\.so' <<< "$dynamic"; then
    ok "libsac.so needs the bundled json-c, not the system's"
else
    fail "libsac.so's NEEDED entries: $(grep NEEDED <<< "$dynamic")"
fi
grep -q 'R.*PATH.*\$ORIGIN/\.\./\.\./libsac\.libs' <<< "$dynamic" && ok "RUNPATH \$ORIGIN/../../libsac.libs" \
    || fail "no RUNPATH to libsac.libs: $(grep PATH <<< "$dynamic")"
! grep -q 'NEEDED.*libswift' <<< "$dynamic" && ok "no Swift runtime needed" || fail "libsac.so needs the Swift runtime"

step "the sdist builds with Swift"
sdist=dist/libsac-$version.tar.gz
# Outside the checkout, from the sdist alone (its swift/ folder); the packaging venv's hatchling, so
# no index is needed. A fresh release build takes about a minute on 2 cores.
if (cd "$work" && env -u SAC_LIBRARY_PATH "$repo/.venv-packaging/bin/python" -m pip wheel -q --no-deps \
        --no-build-isolation -w sdist-wheel "$repo/$sdist" > sdist.log 2>&1); then
    ok "pip wheel $sdist"
else
    fail "pip wheel $sdist"; tail -20 "$work/sdist.log"
fi
built=("$work"/sdist-wheel/libsac-"$version"-py3-none-linux_x86_64.whl)
if [ ${#built[@]} = 1 ] && unzip -q "${built[0]}" libsac/_native/libsac.so -d "$work/from-sdist" \
    && [ "$(python3 -c 'import ctypes, sys; f = ctypes.CDLL(sys.argv[1]).sac_version_string
f.restype = ctypes.c_char_p; print(f().decode())' "$work/from-sdist/libsac/_native/libsac.so")" = "$version" ]; then
    ok "its wheel holds a libsac.so that it compiled, reporting $version"
else
    fail "the wheel built from the sdist"
fi

step "installed and used with the repository, Swift and the system's json-c hidden"
cp "$wheel" "$work/"
cat > "$work/smoke.py" <<'EOF'
"""A short training run, a policy saved and loaded, and which json-c the process mapped."""
import numpy as np
import libsac

agent = libsac.Agent(obs_dim=3, action_dim=1, action_low=[-2], action_high=[2], hidden_sizes=(32, 32),
                     batch_size=32, learning_starts=64, seed=5)
rng = np.random.default_rng(0)
obs = rng.normal(size=3).astype(np.float32)
updates = 0
for step in range(200):
    action = agent.act(obs)
    next_obs = rng.normal(size=3).astype(np.float32)
    agent.observe(obs, action, -float(np.sum(obs ** 2)), next_obs, False, step % 50 == 49)
    obs = next_obs
    if agent.replay_size >= 64:
        agent.update()
        updates += 1
agent.save("policy.json", kind="policy")
with libsac.Agent.load("policy.json") as policy:
    same = np.array_equal(policy.act(obs, deterministic=True), agent.act(obs, deterministic=True))
print(f"trained: 200 steps, {updates} updates; loaded policy acts the same: {same}")
mapped = sorted({line.split()[-1] for line in open("/proc/self/maps") if "json-c" in line})
print("json-c mapped:", *mapped)
assert same and updates > 100 and len(mapped) == 1 and "/site-packages/libsac.libs/" in mapped[0], mapped
EOF
swift=$(command -v swift || true)
toolchain=${swift:+$(dirname "$(dirname "$(realpath "$swift")")")}
# Run in a new mount namespace (mounts vanish with it; nothing outside changes). Each check prints
# one "ok:"/"FAIL:" line, counted below.
cat > "$work/isolated.sh" <<EOF
set -u
say() { if eval "\$2"; then echo "   ok: \$1"; else echo "   FAIL: \$1"; fi; }
mount --make-rprivate /
mount -t tmpfs none "$repo"
case "$toolchain" in
    "") ;;
    /usr|/usr/local|/) for f in "$toolchain"/bin/swift*; do mount --bind /dev/null "\$f"; done ;;
    *) mount -t tmpfs none "$toolchain" ;;
esac
for f in \$(ldconfig -p | sed -n 's/.*libjson-c\.so.* => //p' | xargs -r realpath | sort -u); do
    mount --bind /dev/null "\$f"
done
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PIP_DISABLE_PIP_VERSION_CHECK=1
unset SAC_LIBRARY_PATH PYTHONPATH VIRTUAL_ENV
cd "$work"
say "the repository is hidden" '[ ! -e "$repo/Package.swift" ] && [ ! -e "$repo/.build" ]'
say "no Swift toolchain" '! swift --version >/dev/null 2>&1 && ! ls "$toolchain"/lib/swift/linux/libswiftCore.so >/dev/null 2>&1'
say "the system's json-c cannot be loaded" \
    '! python3 -c "import ctypes; ctypes.CDLL(\"libjson-c.so.5\")" 2>/dev/null'
python3 -m venv venv
say "pip install $(basename "$wheel") into a fresh virtualenv" \
    'venv/bin/pip install -q "$(basename "$wheel")" > pip.log 2>&1 || { cat pip.log; false; }'
say "short training, save, load, bundled json-c" 'venv/bin/python smoke.py'
say "libsac --version" '[ "\$(venv/bin/libsac --version)" = "libsac $version" ]'
EOF
$([ "$(id -u)" = 0 ] || echo sudo) unshare --mount bash "$work/isolated.sh" > "$work/isolated.log" 2>&1 || true
sed 's/^/   | /' "$work/isolated.log" | grep -v -e '   ok: ' -e 'FAIL: ' || true
while IFS= read -r line; do
    case "$line" in *"ok: "*) ok "${line#*ok: }" ;; *"FAIL: "*) fail "${line#*FAIL: }" ;; esac
done < "$work/isolated.log"
[ "$(grep -c -e 'ok: ' -e 'FAIL: ' "$work/isolated.log")" = 6 ] || fail "the isolated run did not finish its 6 checks"
finish
