#!/usr/bin/env bash
# Installs everything kupffer needs on Debian 12, once: every package is listed here and only here.
# Both README commands (demo and tests) call this. Run as root (or with sudo available).
# `install-deps.sh build` installs only the toolchain and libraries (the container's build stage).
set -euo pipefail

build_packages=(
  g++ cmake ninja-build pkg-config git ca-certificates
  libhts-dev zlib1g-dev libdeflate-dev libisal-dev libeigen3-dev libspectra-dev libtbb-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libhdf5-dev libigraph-dev libboost-dev libhnswlib-dev
)
packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git ca-certificates
  # libraries kupffer links (no vendored copies)
  libhts-dev zlib1g-dev libdeflate-dev libisal-dev libeigen3-dev libspectra-dev libtbb-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libhdf5-dev libigraph-dev libboost-dev libhnswlib-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev bc time
  # real clients the tests load our outputs with, and the peers the benchmarks run
  python3-anndata python3-h5py python3-scipy r-cran-seurat r-cran-hdf5r r-cran-jsonlite r-bioc-dropletutils r-bioc-edger r-bioc-scuttle
  rna-star kallisto bustools samtools isal
  # the report checked as a user sees it (headless browser) and read by MultiQC
  chromium multiqc
  # the Nextflow pipeline's files parsed and its module scripts rendered (Nextflow itself is not packaged)
  groovy python3-jsonschema
  # libFuzzer targets (scripts/sanitize.sh): clang with its sanitizer and fuzzer runtimes
  clang libclang-rt-14-dev
  # the container image really built and run (podman + runc, base images by debootstrap), and a
  # one-node Slurm cluster running the study's jobs
  podman runc debootstrap slurm-wlm munge
)

[ "${1:-}" = build ] && packages=("${build_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
