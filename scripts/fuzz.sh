#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, coverage on the whole library) into
# ${BUILD_DIR:-build-fuzz} and runs them under CTest (label fuzz): each target for
# KUPFFER_FUZZ_SECONDS (default 10) from its seeds, then every saved regression input.
# A crash leaves its input in build-fuzz/fuzz/artifacts/; copy it to tests/fuzz/regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-fuzz}
CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DKUPFFER_BUILD_TESTS=OFF -DKUPFFER_FUZZ=ON \
  -DKUPFFER_FUZZ_SECONDS="${KUPFFER_FUZZ_SECONDS:-10}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target fuzz_targets
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" -L fuzz "$@")
