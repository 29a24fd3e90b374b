#!/usr/bin/env bash
# The README's second command and what CI runs: install, build, run the whole test suite (labels
# unit, cli, catalogue, e2e, client, browser, nextflow, container, slurm); then one clang build with
# AddressSanitizer + UndefinedBehaviorSanitizer runs the bad-input catalogue (the whole pipeline
# and 94 bad inputs) and every libFuzzer target for KUPFFER_FUZZ_SECONDS (default 10) each with
# the saved crash inputs (scripts/sanitize.sh; KUPFFER_SANITIZE_UNIT=1 adds the unit tests).
# Arguments go to the first ctest run, e.g. `bash scripts/test.sh -L unit`.
# KUPFFER_SKIP_SANITIZE=1 skips the sanitizer and fuzz pass (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DKUPFFER_BUILD_TESTS=ON
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@")
if [ "${KUPFFER_SKIP_SANITIZE:-0}" != 1 ]; then
  bash scripts/sanitize.sh
fi
