#!/usr/bin/env bash
# Checks the built libsac.so the way a user's loader and compiler see it:
#  - it needs no Swift runtime (libswift*) at run time,
#  - it exports only sac_* functions (plus linker boilerplate),
#  - it carries the SONAME libsac.so.<ABI>,
#  - every function declared in include/sac.h is exported, and nothing else,
#  - include/sac.h compiles warning-free as C99 and as C++17.
set -euo pipefail
so=${1:-.build/release/libsac.so}
header=include/sac.h
fail=0
[ -f "$so" ] || { echo "check_abi: $so not found (run make lib)"; exit 2; }

if ldd "$so" | grep -q libswift; then echo "FAIL: $so needs libswift* at run time"; fail=1; fi

exports=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$' | sort)
extra=$(echo "$exports" | grep -v '^sac_' || true)
[ -z "$extra" ] || { echo "FAIL: exports outside sac_*: $(echo $extra | head -c 300)"; fail=1; }

abi=$(sed -n 's/^#define SAC_ABI_VERSION \([0-9]*\).*/\1/p' "$header")
readelf -d "$so" | grep -q "SONAME.*\[libsac\.so\.$abi\]" || { echo "FAIL: SONAME is not libsac.so.$abi"; fail=1; }

declared=$(grep -o -E '^[a-z_ ]+\**\s*\**(sac_[a-z_0-9]+)\(' "$header" | grep -o -E 'sac_[a-z_0-9]+' | sort -u)
if [ "$declared" != "$(echo "$exports" | grep '^sac_')" ]; then
    echo "FAIL: header declarations and exports differ:"
    diff <(echo "$declared") <(echo "$exports" | grep '^sac_') || true
    fail=1
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo '#include "sac.h"' > "$tmp/h.c"; cp "$tmp/h.c" "$tmp/h.cpp"
cc -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude -c "$tmp/h.c" -o "$tmp/c.o" || { echo "FAIL: sac.h is not C99-clean"; fail=1; }
c++ -std=c++17 -Wall -Wextra -pedantic -Werror -Iinclude -c "$tmp/h.cpp" -o "$tmp/cpp.o" || { echo "FAIL: sac.h is not C++17-clean"; fail=1; }

n=$(echo "$exports" | grep -c '^sac_')
[ $fail = 0 ] && echo "check_abi: ok ($n sac_* functions, SONAME libsac.so.$abi, no Swift runtime needed, $(du -h "$so" | cut -f1))"
exit $fail
