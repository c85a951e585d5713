#!/usr/bin/env bash
# The CMake package, as a C or C++ team uses it:
#  1. `make install DESTDIR=... PREFIX=/opt/libsac` puts sacConfig.cmake and sacConfigVersion.cmake
#     under lib/cmake/sac; the staged tree is used where it lies (the files find their prefix from
#     their own location, so a moved prefix works);
#  2. bindings/c/cmake-consumer configured with CMAKE_PREFIX_PATH alone, built with -Werror, run: it
#     trains a few hundred steps and loads the policy it saved; it needs libsac by its SONAME;
#  3. the version rule: a request for 0.2, for this version EXACT, or for a range, finds it; the next
#     minor version and 1.0 do not (same major version, at least the requested one); and the major
#     version is SAC_ABI_VERSION, which that rule relies on;
#  4. make uninstall removes the CMake files with the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^#define SAC_VERSION_STRING "\(.*\)"/\1/p' include/sac.h)
abi=$(sed -n 's/^#define SAC_ABI_VERSION \([0-9]*\).*/\1/p' include/sac.h)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
prefix="$stage/opt/libsac"
passed=0
failed=0
step() { echo "== $*"; }
ok() { passed=$((passed + 1)); echo "   ok: $*"; }
fail() { failed=$((failed + 1)); echo "   FAIL: $*"; }

step "make install DESTDIR=$stage PREFIX=/opt/libsac"
make -s install DESTDIR="$stage" PREFIX=/opt/libsac > /dev/null
for f in sacConfig.cmake sacConfigVersion.cmake; do
    [ -f "$prefix/lib/cmake/sac/$f" ] && ok "lib/cmake/sac/$f" || fail "lib/cmake/sac/$f missing"
done

step "bindings/c/cmake-consumer against it"
if cmake -S bindings/c/cmake-consumer -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_FLAGS="-Wall -Wextra -pedantic -Werror" > "$work/configure.log" 2>&1 \
    && cmake --build "$work/build" > "$work/build.log" 2>&1; then
    ok "configured (find_package(sac 0.2 CONFIG REQUIRED)) and built"
else
    fail "configure or build"; cat "$work/configure.log" "$work/build.log" 2>/dev/null
fi
if "$work/build/sac_consumer" "$work/policy.json" > "$work/run.log" 2>&1 && [ -f "$work/policy.json" ]; then
    ok "trained, saved and loaded the policy: $(tail -1 "$work/run.log")"
else
    fail "sac_consumer"; cat "$work/run.log"
fi
readelf -d "$work/build/sac_consumer" | grep -q "NEEDED.*\[libsac\.so\.$abi\]" \
    && ok "linked by the SONAME libsac.so.$abi" || fail "not linked by the SONAME"

step "which versions it satisfies"
mkdir -p "$work/probe"
cat > "$work/probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.19)
project(probe NONE)
find_package(sac ${REQUEST} CONFIG REQUIRED)
message(STATUS "sac ${sac_VERSION}")
EOF
finds() { rm -rf "$work/probe/build"; cmake -S "$work/probe" -B "$work/probe/build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DREQUEST="$1" > "$work/probe.log" 2>&1; }
major=${version%%.*}
rest=${version#*.}
next_minor="$major.$((${rest%%.*} + 1))"
for request in 0.2 "$version;EXACT" "0.1...<1.0"; do
    finds "$request" && ok "find_package(sac ${request/;/ }) finds $version" \
        || { fail "find_package(sac ${request/;/ }) does not find $version"; cat "$work/probe.log"; }
done
for request in "$next_minor" 1.0; do
    ! finds "$request" && grep -q "version: $version" "$work/probe.log" \
        && ok "find_package(sac $request) refuses $version" || fail "find_package(sac $request) accepted $version"
done
[ "$major" = "$abi" ] && ok "major version $major = SAC_ABI_VERSION (the rule of sacConfigVersion.cmake)" \
    || fail "major version $major but SAC_ABI_VERSION $abi: sacConfigVersion.cmake's rule needs them equal"

step "make uninstall"
make -s uninstall DESTDIR="$stage" PREFIX=/opt/libsac > /dev/null
left=$(find "$stage" -type f -o -type l)
[ -z "$left" ] && ok "nothing left under the prefix" || fail "left behind: $left"

echo "CMake package: $passed passed, $failed failed"
[ "$failed" = 0 ]
