#!/usr/bin/env bash
# The README's second command and what CI runs: install, build, run the whole test suite (labels
# unit, cli, e2e, client, browser, nextflow, container, slurm); then the unit and CLI tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer (gcc); then every libFuzzer target (clang,
# ASan + UBSan) for KUPFFER_FUZZ_SECONDS (default 10) each, and the saved crash inputs (label fuzz).
# Arguments go to the first two ctest runs, e.g. `bash scripts/test.sh -L unit`.
# KUPFFER_SKIP_SANITIZE=1 skips the sanitizer and fuzz passes (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DKUPFFER_BUILD_TESTS=ON
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@")
if [ "${KUPFFER_SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo bash scripts/build.sh -DKUPFFER_BUILD_TESTS=ON -DKUPFFER_SANITIZE=ON
  # The statistical replicates (null studies, the maturation studies, the whole analysis again for
  # thread invariance and for doublet removal) re-run code the other sanitized tests cover, at many
  # times the cost: Release only.
  (cd build-asan && ctest --output-on-failure -j "$(nproc)" --timeout 900 -LE e2e \
     -E 'CompareCytokines.NullStudyKeepsFalsePositivesAtFivePercent|Analyse.SameResultsWithOneOrManyThreads|Analyse.RemovesPredictedDoubletsWhenAsked|Maturation\.' "$@")
  bash scripts/fuzz.sh
fi
