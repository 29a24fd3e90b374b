#!/usr/bin/env bash
# kupffer built with clang, AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation (-DKUPFFER_FUZZ=ON) into ${BUILD_DIR:-build-sanitize}, then:
#  1. the bad-input catalogue (docs/errors.md, tests/catalogue.sh) with the sanitized kupffer: its
#     setup runs index, map and count on a simulated study and several rows run analyse, so the
#     whole pipeline runs under the sanitizers, and then 94 bad inputs and signals do;
#  2. every libFuzzer target for KUPFFER_FUZZ_SECONDS (default 10) from its seeds, then every saved
#     crash input (label fuzz). A crash leaves its input in BUILD_DIR/fuzz/artifacts/; copy it to
#     tests/fuzz/regressions/<target>/ to keep it as a test.
# KUPFFER_SANITIZE_UNIT=1 also builds and runs the unit and CLI tests under the sanitizers (about 20
# more minutes on 2 cores: beyond CI's budget, so run before a release or after touching memory
# handling); arguments then go to that ctest run, e.g. `-R Records`.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-sanitize}
unit=${KUPFFER_SANITIZE_UNIT:-0}
tests=OFF
[ "$unit" = 1 ] && tests=ON
CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DKUPFFER_BUILD_TESTS=$tests -DKUPFFER_FUZZ=ON -DKUPFFER_FUZZ_SECONDS="${KUPFFER_FUZZ_SECONDS:-10}" >/dev/null
if [ "$unit" = 1 ]; then
  cmake --build "$build_dir" -j "$(nproc)"
  # Labels matched whole: 'cli' must not match 'client' (the R/Python clients are Release only).
  (cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 1800 -L '^(unit|cli)$' "$@")
else
  cmake --build "$build_dir" -j "$(nproc)" --target kupffer fuzz_targets
  # The catalogue's study: the values of the fixture.simulate_study test.
  "$build_dir/kupffer" simulate --out "$build_dir/study" --overwrite --seed 11 --threads 2 --cells 150 --reads-per-cell 1500 \
    --genes 400 --genome-size 4000000 --whitelist-size 20000 >/dev/null
  bash tests/catalogue.sh "$build_dir/kupffer" "$build_dir/study" docs/errors.md "$build_dir/catalogue"
fi
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" -L fuzz)
