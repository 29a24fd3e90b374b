#!/usr/bin/env bash
# Builds containers/Dockerfile unmodified with podman + runc and runs `kupffer run` inside it as a
# non-root user; the outputs must equal the host's `kupffer run` on the same study.
#  - podman is configured by a containers.conf in OUT (runtime runc, ulimits), via CONTAINERS_CONF,
#    and keeps its storage in OUT: nothing is written outside OUT.
#  - No registry is reachable here, so the base images the Dockerfile names (debian:bookworm,
#    debian:bookworm-slim) are made with `debootstrap --variant=minbase bookworm` + `podman import`
#    when absent (the slim one without docs, man pages and locales, as Debian's slim images).
#  - Prints the image size; checks `kupffer --version`, bash and ps, no ENTRYPOINT, and that the run
#    writes nothing into the image (the container's root filesystem is read-only).
# Usage: test_container.sh KUPFFER STUDY OUT   (exit 77 = skipped: podman or debootstrap missing)
set -euo pipefail
kupffer=$(realpath "$1") study=$(realpath "$2") out=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not installed (apt-get install podman runc debootstrap)"; exit 77; }
done
mkdir -p "$out"
out=$(realpath "$out")
cat >"$out/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF=$out/containers.conf
pod() { podman --root "$out/storage" --runroot "$out/runroot" "$@"; }

# 1. Base images.
if ! pod image exists debian:bookworm || ! pod image exists debian:bookworm-slim; then
  start=$SECONDS
  rm -rf "$out/rootfs"
  debootstrap --variant=minbase bookworm "$out/rootfs" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1 \
    || { echo "FAIL: debootstrap (see $out/debootstrap.log)"; tail -5 "$out/debootstrap.log"; exit 1; }
  rm -rf "$out/rootfs/var/cache/apt/archives/"*.deb "$out/rootfs/var/lib/apt/lists/"*
  tar -C "$out/rootfs" -c . | pod import --change 'CMD ["/bin/bash"]' - debian:bookworm >/dev/null
  rm -rf "$out/rootfs/usr/share/doc/"* "$out/rootfs/usr/share/man/"* "$out/rootfs/usr/share/locale/"*
  tar -C "$out/rootfs" -c . | pod import --change 'CMD ["/bin/bash"]' - debian:bookworm-slim >/dev/null
  rm -rf "$out/rootfs"
  echo "base images made with debootstrap in $((SECONDS - start)) s"
fi

# 2. The image, from the Dockerfile as users build it.
start=$SECONDS
pod build --network host -f "$repo/containers/Dockerfile" -t kupffer:test "$repo" >"$out/build.log" 2>&1 \
  || { echo "FAIL: podman build (see $out/build.log)"; tail -20 "$out/build.log"; exit 1; }
size=$(pod image inspect --format '{{.Size}}' kupffer:test)
echo "image built in $((SECONDS - start)) s; size $((size / 1000000)) MB"
entrypoint=$(pod image inspect --format '{{.Config.Entrypoint}}' kupffer:test)
case "$entrypoint" in "[]"|"<nil>"|"") ;; *) echo "FAIL: the image has an ENTRYPOINT ($entrypoint): Nextflow runs /bin/bash -c"; exit 1 ;; esac
uid=1000:1000
version=$(pod run --rm -u "$uid" --read-only kupffer:test /bin/bash -c 'kupffer --version && ps -p 1 -o comm= >/dev/null && echo ok')
[ "$(echo "$version" | tail -1)" = ok ] || { echo "FAIL: kupffer --version, bash or ps: $version"; exit 1; }
[ "$(echo "$version" | head -1)" = "$("$kupffer" --version)" ] || { echo "FAIL: image says '$version', host says '$("$kupffer" --version)'"; exit 1; }

# 3. The same study on the host and in the container (as uid 1000, root filesystem read-only).
descriptor() {
  cat <<YAML
output: out
reference:
  genome: ../study/reference/genome.fa
  gtf: ../study/reference/genes.gtf
input:
  fastqs: [../study/run]
  samplesheet: ../study/samplesheet.csv
  whitelist: ../study/whitelist.txt.gz
analyse:
  min_cells: 5
YAML
}
rm -rf "$out/host" "$out/container"
mkdir -p "$out/host/work" "$out/container/work"
ln -s "$study" "$out/host/study"
descriptor >"$out/host/work/study.yaml"
descriptor >"$out/container/work/study.yaml"
chown -R "$uid" "$out/container/work"
"$kupffer" run "$out/host/work/study.yaml" --threads 2 --quiet
start=$SECONDS
pod run --rm -u "$uid" --read-only --tmpfs /tmp -v "$study:/data/study:ro" -v "$out/container/work:/data/work" -w /data/work \
  kupffer:test /bin/bash -c 'kupffer run study.yaml --threads 2 --quiet' \
  || { echo "FAIL: kupffer run in the container"; exit 1; }
echo "kupffer run in the container: $((SECONDS - start)) s"
# Provenance (map_metrics.json, report.html) names the inputs' paths, /data/study in the container:
# those files are compared with the study's path written the same way on both sides.
normalise() { sed -e "s#$out/host/study#STUDY#g" -e "s#/data/study#STUDY#g" "$1"; }
diff -rq -x run.json -x kupffer.yaml -x 'kupffer_*.json' -x '*.log' "$out/host/work/out" "$out/container/work/out" >"$out/diff.txt" || true
while read -r line; do
  case "$line" in
    Files\ *\ and\ *\ differ)
      a=$(echo "$line" | sed 's/^Files \(.*\) and .* differ$/\1/'); b=${a/$out\/host\/work/$out\/container\/work}
      if ! cmp -s <(normalise "$a") <(normalise "$b"); then echo "FAIL: $a differs from the container's:"; diff <(normalise "$a") <(normalise "$b") | head; exit 1; fi ;;
    *) echo "FAIL: $line"; exit 1 ;;
  esac
done <"$out/diff.txt"
owner=$(stat -c %u:%g "$out/container/work/out/run.json")
[ "$owner" = "$uid" ] || { echo "FAIL: outputs owned by $owner, not $uid"; exit 1; }
echo "container: outputs identical to the host's ($(find "$out/host/work/out" -type f | wc -l) files), written as uid $uid"
