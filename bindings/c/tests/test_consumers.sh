#!/usr/bin/env bash
# What a C or C++ team does with libsac, checked end to end:
#  1. `make install` into a temporary prefix (SONAME chain, header, pkg-config file);
#  2. every example built with nothing but `pkg-config --cflags --libs sac` against that prefix;
#  3. each example run: the demo trains briefly and saves a policy, infer loads it (stdin and --demo)
#     and rejects a bad line, train_cartpole learns the cart-pole with discrete SAC (and briefly with
#     soft Q-learning) and infer runs those discrete policies, multi_agent trains two agents in two
#     threads, the C++ example trains through sac.hpp;
#  4. valgrind on short training runs with save (continuous and discrete), and on infer loading
#     one: 0 errors, 0 bytes definitely lost; and the same count of heap allocations for few and for
#     more updates;
#  5. make uninstall leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/../../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
bin="$work/bin"
mkdir -p "$bin"
passed=0
failed=0
step() { echo "== $*"; }
ok() { passed=$((passed + 1)); echo "   ok: $*"; }
fail() { failed=$((failed + 1)); echo "   FAIL: $*"; }

step "make install PREFIX=$prefix"
make -s install PREFIX="$prefix" >/dev/null
for f in lib/libsac.so lib/libsac.so.0 include/sac.h lib/pkgconfig/sac.pc; do
    [ -e "$prefix/$f" ] && ok "$f installed" || fail "$f missing"
done
[ "$(readlink "$prefix/lib/libsac.so")" = libsac.so.0 ] && ok "libsac.so -> libsac.so.0" || fail "symlink chain"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags="$(pkg-config --cflags sac)"
libs="$(pkg-config --libs sac) -Wl,-rpath,$prefix/lib"
[ "$(pkg-config --modversion sac)" = "$(sed -n 's/^#define SAC_VERSION_STRING "\(.*\)"/\1/p' include/sac.h)" ] \
    && ok "pkg-config version" || fail "pkg-config version"

step "build the examples with pkg-config only"
build_c() { cc -std=c99 -O2 -Wall -Wextra -pedantic -Werror $flags "$1" -o "$bin/$2" $libs -lm -lpthread; }
build_c bindings/c/examples/train_pendulum.c train_pendulum && ok "train_pendulum.c" || fail "train_pendulum.c"
build_c bindings/c/examples/infer.c infer && ok "infer.c" || fail "infer.c"
build_c bindings/c/examples/train_cartpole.c train_cartpole && ok "train_cartpole.c" || fail "train_cartpole.c"
build_c bindings/c/examples/multi_agent.c multi_agent && ok "multi_agent.c" || fail "multi_agent.c"
build_c bindings/c/benchmarks/act_latency.c act_latency && ok "benchmarks/act_latency.c (built; make bench runs it)" \
    || fail "benchmarks/act_latency.c"
c++ -std=c++17 -O2 -Wall -Wextra -pedantic -Werror $flags -Ibindings/cpp bindings/cpp/examples/train.cpp \
    -o "$bin/train_cpp" $libs && ok "train.cpp (C++17, -pedantic -Werror)" || fail "train.cpp"
printf '#include <sac.h>\n#include <sac.hpp>\nint main() { return sac_abi_version(); }\n' > "$work/tu.cpp"
c++ -std=c++17 -Wall -Wextra -pedantic -Werror $flags -Ibindings/cpp "$work/tu.cpp" -o "$bin/tu" $libs \
    && ok "sac.h and sac.hpp in a C++ translation unit" || fail "C++ translation unit"

step "run them"
policy="$work/policy.json"
"$bin/train_pendulum" 600 1 "$policy" > "$work/demo.log" || [ $? = 1 ]  # 1 = not solved in 600 steps
grep -q "final evaluation" "$work/demo.log" && [ -f "$policy" ] && ok "demo trained and saved a policy" || fail "demo"
printf '1 0 0\n0.5 -0.5 2\n' | "$bin/infer" "$policy" > "$work/infer.out" \
    && [ "$(wc -l < "$work/infer.out")" = 2 ] && ok "infer: 2 actions from stdin" || fail "infer from stdin"
"$bin/infer" "$policy" --demo > /dev/null && ok "infer --demo" || fail "infer --demo"

step "docs/c-api.md's recipe without installing, verbatim (after make lib)"
recipe=$(sed -n 's/^Without installing, after `make lib`: `\(cc [^`]*\)`.*/\1/p' docs/c-api.md)
recipe=${recipe//my_sim.c/bindings\/c\/examples\/infer.c}
recipe=${recipe//-o my_sim/-o $bin\/infer_uninstalled}
if [ -n "$recipe" ] && eval "$recipe" && "$bin/infer_uninstalled" "$policy" --demo > /dev/null; then
    ok "the documented recipe builds a program that loads libsac and runs: $recipe"
else
    fail "the documented recipe without installing: '$recipe'"
fi

if printf '1 0\n' | "$bin/infer" "$policy" > /dev/null 2> "$work/infer.err"; then
    fail "infer accepted a line with 2 numbers"
else
    grep -q "line 1" "$work/infer.err" && ok "infer rejects a short line, naming it" || fail "infer error message"
fi
# Discrete SAC evaluates near 300-350 after 4000 steps (a random policy scores about 20; 475 is
# solved, typically by 16,000-18,000 steps): 200 proves learning in a couple of seconds.
cartpole_policy="$work/cartpole-policy.json"
"$bin/train_cartpole" 4000 1 "$cartpole_policy" > "$work/cartpole.log" || [ $? = 1 ]  # 1 = not solved yet
cartpole_return=$(sed -n 's/^final evaluation after [0-9]* steps: mean return \([0-9.]*\).*/\1/p' "$work/cartpole.log")
if [ -f "$cartpole_policy" ] && [ -n "$cartpole_return" ] && awk "BEGIN { exit !($cartpole_return >= 200) }"; then
    ok "train_cartpole: discrete SAC evaluates at $cartpole_return (>= 200) after 4000 steps, policy saved"
else
    fail "train_cartpole (discrete SAC) did not reach 200 in 4000 steps"; cat "$work/cartpole.log"
fi
# The saved discrete policy through infer: one action index per line; a pole leaning and falling to
# the right needs a push to the right (1), and the mirror image one to the left (0).
printf '0 0 0.1 0.5\n0 0 -0.1 -0.5\n' | "$bin/infer" "$cartpole_policy" > "$work/infer-cartpole.out" \
    && [ "$(tr '\n' ' ' < "$work/infer-cartpole.out")" = "1 0 " ] \
    && ok "infer: the discrete policy pushes toward the falling pole (1, 0)" \
    || { fail "infer on the discrete policy"; cat "$work/infer-cartpole.out"; }
"$bin/train_cartpole" 2000 1 "$work/softq-policy.json" soft_q > "$work/softq.log" || [ $? = 1 ]
"$bin/infer" "$work/softq-policy.json" --demo > "$work/infer-softq.out" \
    && [ "$(grep -cx '[01]' "$work/infer-softq.out")" = 3 ] \
    && ok "train_cartpole soft_q: trained, saved, and infer acts with its critics" \
    || { fail "soft Q-learning policy"; cat "$work/softq.log" "$work/infer-softq.out"; }
"$bin/multi_agent" 2 800 > "$work/multi.log" && [ "$(grep -c 'seed' "$work/multi.log")" -ge 2 ] \
    && ok "multi_agent: 2 agents in 2 threads" || fail "multi_agent"
"$bin/train_cpp" 600 "$work/cpp-policy.json" > "$work/cpp.log" && [ -f "$work/cpp-policy.json" ] \
    && ok "C++ example trained and saved" || fail "C++ example"

step "valgrind (short training with save, then loading)"
# Updates start at step 256 (batch_size; learning_starts is 100); under valgrind one costs about a
# second, so the runs are short: 260 steps (5 updates) and 280 steps (25 updates). Both must be clean, and since act,
# observe and update allocate nothing after create, both must make the same number of allocations.
vg="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
allocs() { grep -o 'total heap usage: [0-9,]* allocs' "$1" | tr -dc '0-9'; }
for steps in 260 280; do
    if $vg "$bin/train_pendulum" $steps 2 "$work/vg-policy.json" > /dev/null 2> "$work/vg-$steps.log" || [ $? = 1 ]; then
        ok "train_pendulum $steps steps under valgrind: 0 errors, 0 bytes definitely lost"
    else
        fail "train_pendulum $steps steps under valgrind"; grep -E "ERROR SUMMARY|definitely" "$work/vg-$steps.log"
    fi
done
if [ -n "$(allocs "$work/vg-260.log")" ] && [ "$(allocs "$work/vg-260.log")" = "$(allocs "$work/vg-280.log")" ]; then
    ok "no heap allocation per step or update: $(allocs "$work/vg-260.log") allocations in all, for 5 and for 25 updates"
else
    fail "allocations grow with training: $(allocs "$work/vg-260.log") for 5 updates, $(allocs "$work/vg-280.log") for 25"
fi
# The discrete path: updates start at step 100 (learning_starts; batch_size is 64); 110 and 130 steps
# are 11 and 31 updates.
for steps in 110 130; do
    if $vg "$bin/train_cartpole" $steps 2 "$work/vg-cartpole.json" > /dev/null 2> "$work/vg-cp-$steps.log" || [ $? = 1 ]; then
        ok "train_cartpole $steps steps under valgrind: 0 errors, 0 bytes definitely lost"
    else
        fail "train_cartpole $steps steps under valgrind"; grep -E "ERROR SUMMARY|definitely" "$work/vg-cp-$steps.log"
    fi
done
if [ -n "$(allocs "$work/vg-cp-110.log")" ] && [ "$(allocs "$work/vg-cp-110.log")" = "$(allocs "$work/vg-cp-130.log")" ]; then
    ok "discrete SAC: no heap allocation per step or update ($(allocs "$work/vg-cp-110.log") allocations for 11 and for 31 updates)"
else
    fail "discrete allocations grow with training: $(allocs "$work/vg-cp-110.log") for 11 updates, $(allocs "$work/vg-cp-130.log") for 31"
fi
if $vg "$bin/infer" "$work/vg-policy.json" --demo > /dev/null 2> "$work/vg-infer.log"; then
    ok "infer under valgrind: 0 errors, 0 bytes definitely lost"
else
    fail "infer under valgrind"; cat "$work/vg-infer.log"
fi

step "make uninstall"
make -s uninstall PREFIX="$prefix" >/dev/null
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] && ok "nothing left under the prefix" || fail "left behind: $left"

echo "C/C++ consumers: $passed passed, $failed failed"
[ "$failed" = 0 ]
