#!/usr/bin/env bash
# One clang build with AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation (-DKUPFFER_FUZZ=ON) into ${BUILD_DIR:-build-sanitize}, used twice:
#  1. the unit and CLI tests (labels unit, cli; not the end-to-end runs, and not the statistical
#     replicates below, which re-run code the other tests cover at many times the cost);
#  2. every libFuzzer target for KUPFFER_FUZZ_SECONDS (default 10) from its seeds, then every
#     saved crash input (label fuzz). A crash leaves its input in BUILD_DIR/fuzz/artifacts/; copy it
#     to tests/fuzz/regressions/<target>/ to keep it as a test.
# Arguments go to the first ctest run, e.g. `bash scripts/sanitize.sh -R Records`.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-sanitize}
CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DKUPFFER_BUILD_TESTS=ON -DKUPFFER_FUZZ=ON -DKUPFFER_FUZZ_SECONDS="${KUPFFER_FUZZ_SECONDS:-10}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
cd "$build_dir"
# Labels matched whole: 'cli' must not match 'client' (the R/Python client tests and the end-to-end
# runs they depend on are Release only). The thread-count replicates run again code the other
# sanitized tests cover: Release only too.
ctest --output-on-failure -j "$(nproc)" --timeout 900 -L '^(unit|cli)$' \
  -E 'CompareCytokines.NullStudyKeepsFalsePositivesAtFivePercent|Analyse.SameResultsWithOneOrManyThreads|Analyse.RemovesPredictedDoubletsWhenAsked|Maturation\.|DoubletScores.SameScoresWithOneOrManyThreads|Simulate.SameSeedSameBytesWhateverTheThreadCount|MapSample.SameRecordBytesWithOneTwoAndEightThreads' "$@"
ctest --output-on-failure -j "$(nproc)" -L fuzz
