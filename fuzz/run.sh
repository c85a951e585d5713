#!/usr/bin/env bash
# Runs the libFuzzer targets of the sac-fuzz executable (built by `make fuzz-build`) and prints one
# line per target: executions, executions per second, coverage (cov: edges, ft: features), corpus
# size and the crashes, timeouts and out-of-memory inputs found. Exit status 1 if there was any.
#
#   fuzz/run.sh campaign SECONDS [TARGET...]   make fuzz: SECONDS per target in libFuzzer's fork
#       mode, which goes on after a crash (each one is saved as .build-fuzz/artifacts/TARGET/crash-*);
#       the corpus grows in .build-fuzz/corpus/TARGET, next to the seeds (fuzz/seeds/TARGET)
#   fuzz/run.sh smoke SECONDS [TARGET...]      make test: SECONDS per target from the seeds alone
#       (fixed -seed), stopping at the first crash, timeout or out-of-memory input
#
# Every run uses -rss_limit_mb=2048, and -timeout=1 in a campaign. The smoke run allows 5 s per input:
# it must prove no crash and no hang on a shared CI host, where creating the largest agent the config
# target affords (64 MB) twice under ASan took 1.4-1.8 s. To reproduce a saved input:
#   SAC_FUZZ_TARGET=TARGET SAC_FUZZ_VERBOSE=1 SWIFT_BACKTRACE=enable=no .build-fuzz/release/sac-fuzz -runs=1 FILE
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: fuzz/run.sh campaign|smoke SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh campaign|smoke SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(policy checkpoint replay config)
fuzzer=.build-fuzz/release/sac-fuzz
[ -x "$fuzzer" ] || { echo "fuzz/run.sh: $fuzzer is missing: run make fuzz-build" >&2; exit 2; }

# Swift's own crash backtracer would fight the sanitizer's over the crash; the sanitizer's report
# is the one libFuzzer expects. allocator_may_return_null: libsac must see NULL for a failed
# allocation, as from malloc (the library's out-of-memory paths are part of what is fuzzed).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1}

dictionary() {
    case $1 in
        policy|checkpoint) echo "-dict=fuzz/json.dict" ;;
        replay) echo "-dict=fuzz/replay.dict" ;;
    esac
}

failed=0
printf '%-11s %8s %10s %8s %6s %7s %7s  %s\n' target seconds executions exec/s cov ft corpus "crash/timeout/oom"
for target in "${targets[@]}"; do
    log=.build-fuzz/logs/$mode-$target.log
    artifacts=.build-fuzz/artifacts/$target
    mkdir -p .build-fuzz/logs "$artifacts"
    limit=1
    [ "$mode" = smoke ] && limit=5
    common=(-rss_limit_mb=2048 -timeout="$limit" -max_total_time="$seconds" -artifact_prefix="$artifacts/"
            -print_final_stats=1 $(dictionary "$target"))
    start=$(date +%s)
    if [ "$mode" = campaign ]; then
        corpus=.build-fuzz/corpus/$target
        mkdir -p "$corpus"
        SAC_FUZZ_TARGET=$target "$fuzzer" "${common[@]}" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
            -ignore_ooms=1 "$corpus" "fuzz/seeds/$target" > "$log" 2>&1
        status=$?
        # The fork mode's status line: #N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: O/T/X time: S
        last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
        executions=$(sed -E 's/^#([0-9]+):.*/\1/' <<< "$last")
        cov=$(sed -E 's/.* cov: ([0-9]+) .*/\1/' <<< "$last")
        ft=$(sed -E 's/.* ft: ([0-9]+) .*/\1/' <<< "$last")
        corp=$(sed -E 's/.* corp: ([0-9]+) .*/\1/' <<< "$last")
        read -r oom timeout crash <<< "$(sed -E 's|.*oom/timeout/crash: ([0-9]+)/([0-9]+)/([0-9]+).*|\1 \2 \3|' <<< "$last")"
    else
        corpus=.build-fuzz/smoke/$target
        rm -rf "$corpus" && mkdir -p "$corpus"
        SAC_FUZZ_TARGET=$target "$fuzzer" "${common[@]}" -seed=1 "$corpus" "fuzz/seeds/$target" > "$log" 2>&1
        status=$?
        # The final stats and the last status line: #N DONE cov: C ft: F corp: K/...b ...
        last=$(grep -E '^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+cov:' "$log" | tail -n 1)
        executions=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
        cov=$(sed -E 's/.* cov: ([0-9]+) .*/\1/' <<< "$last")
        ft=$(sed -E 's/.* ft: ([0-9]+) .*/\1/' <<< "$last")
        corp=$(sed -E 's|.* corp: ([0-9]+)/.*|\1|' <<< "$last")
        crash=0 timeout=0 oom=0
        if [ $status -ne 0 ]; then
            if grep -q 'ERROR: libFuzzer: timeout' "$log"; then timeout=1
            elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then oom=1
            else crash=1; fi
        fi
    fi
    elapsed=$(( $(date +%s) - start ))
    executions=${executions:-0}
    printf '%-11s %8s %10s %8s %6s %7s %7s  %s/%s/%s\n' "$target" "$elapsed" "$executions" \
        $(( executions / (elapsed > 0 ? elapsed : 1) )) "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "${crash:-?}" "${timeout:-?}" "${oom:-?}"
    if [ "${crash:-1}${timeout:-1}${oom:-1}" != 000 ] || { [ $mode = smoke ] && [ $status -ne 0 ]; }; then
        failed=1
        echo "  $target: see $log; inputs saved in $artifacts/:" $(ls "$artifacts" | head -n 5)
        grep -m 3 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|SUMMARY|sac-fuzz: |Fatal error|runtime failure' "$log" | sed 's/^/    /'
    fi
done
exit $failed
