#!/usr/bin/env bash
# The README's first command: install, build, and run kupffer's main job on the built-in demo data.
# Today that job is the simulated study itself (a 10x run folder with truth); the stages that turn
# it into matrices and biology (issues 3-5) are added to this script as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out=${1:-demo}
rm -rf "$out" "$out.partial"
./build/kupffer simulate --out "$out" --seed 1 --cells 500 --reads-per-cell 2000
echo
echo "demo study written to $out/: run folder $out/run, reference $out/reference, truth $out/truth"
