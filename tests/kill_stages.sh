#!/usr/bin/env bash
# Each subcommand killed with SIGKILL at 5 points, then run again (map with --overwrite, as count's
# message on a killed map says: the samples it finished are kept otherwise): the outputs must be
# byte-identical to an uninterrupted run's, with no temporaries left (e2e.run does the same across
# `kupffer run`). The points are spread over the stage's own wall time (5% to 70% of an
# uninterrupted run, so reading, computing and writing are all hit); a kill that lands after the
# stage finished is reported and does not count, and at least 3 of the 5 must land.
# Usage: kill_stages.sh KUPFFER STUDY OUT
set -euo pipefail
kupffer=$(realpath "$1") study=$(realpath "$2") out=$3
rm -rf "$out" && mkdir -p "$out" && out=$(realpath "$out")
first=CTRL-RM01-D3 second=ALF-RM03-D3
mkdir -p "$out/run"
for s in $first $second; do cp "$study/run/${s}"_S*_L001_* "$out/run/"; done
grep -E "^(sample|$first|$second)," "$study/samplesheet.csv" >"$out/samplesheet.csv"

# stage_command STAGE DIR: sets cmd to the command of STAGE working in DIR (inputs from earlier stages in DIR).
stage_command() {
  case $1 in
    index) cmd=(index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o "$2/index" -t 2) ;;
    map) cmd=(map -i "$2/index" --fastqs "$out/run" --whitelist "$study/whitelist.txt.gz" -o "$2/samples" -t 2) ;;
    count) cmd=(count -i "$2/samples" --emptydrops-iterations 1000 -t 2) ;;
    analyse) cmd=(analyse -s "$out/samplesheet.csv" -i "$2/samples" -o "$2/analysis" --min-cells 5 -t 2) ;;
  esac
}
# before STAGE DIR: DIR holds the reference's outputs of every stage before STAGE, nothing after.
before() {
  rm -rf "$2" && mkdir -p "$2"
  case $1 in
    map) cp -r "$out/ref/index" "$2/" ;;
    count) cp -r "$out/ref/index" "$2/" && cp -r "$out/ref/mapped" "$2/samples" ;;
    analyse) cp -r "$out/ref/index" "$2/" && cp -r "$out/ref/samples" "$2/samples" ;;
  esac
}
same() {  # same A B: byte-identical outputs (manifests hold times and paths)
  diff -r -x 'kupffer_*.json' "$1" "$2" >"$out/diff.txt" || { echo "FAIL: $3: outputs differ from the uninterrupted run:"; head "$out/diff.txt"; exit 1; }
}

# The uninterrupted runs, each stage timed.
declare -A seconds
for stage in index map count analyse; do
  [ $stage = count ] && cp -r "$out/ref/samples" "$out/ref/mapped"  # map's outputs alone, for count's reruns
  start=$(date +%s.%N)
  stage_command $stage "$out/ref"
  "$kupffer" "${cmd[@]}" >/dev/null 2>&1 || { echo "FAIL: uninterrupted $stage"; exit 1; }
  seconds[$stage]=$(echo "$(date +%s.%N) - $start" | bc)
done
echo "ok: uninterrupted: index ${seconds[index]} s, map ${seconds[map]} s, count ${seconds[count]} s, analyse ${seconds[analyse]} s"

for stage in index map count analyse; do
  landed=0
  for fraction in 0.05 0.2 0.35 0.5 0.7; do
    dir=$out/killed_$stage
    before $stage "$dir"
    stage_command $stage "$dir"
    "$kupffer" "${cmd[@]}" >/dev/null 2>&1 &
    pid=$!
    sleep "$(echo "${seconds[$stage]} * $fraction" | bc)"
    if kill -9 $pid 2>/dev/null; then
      landed=$((landed + 1))
      wait $pid 2>/dev/null || true
      # map's samples finished before the kill stay; replacing them is the user's rerun (count says so).
      [ $stage = map ] && cmd+=(--overwrite)
      "$kupffer" "${cmd[@]}" >/dev/null 2>"$out/rerun.err" || { echo "FAIL: $stage rerun after a kill at $fraction:"; cat "$out/rerun.err"; exit 1; }
    else
      echo "note: $stage had finished before the kill at $fraction of its time"; wait $pid 2>/dev/null || true
    fi
    case $stage in
      index) same "$out/ref/index" "$dir/index" "index killed at $fraction of its time" ;;
      map) same "$out/ref/mapped" "$dir/samples" "map killed at $fraction of its time" ;;
      count) same "$out/ref/samples" "$dir/samples" "count killed at $fraction of its time" ;;
      analyse) same "$out/ref/analysis" "$dir/analysis" "analyse killed at $fraction of its time" ;;
    esac
    [ $stage = index ] || same "$out/ref/index" "$dir/index" "index after $stage"
    if find "$dir" \( -name '*.partial*' -o -name '*.tmp' \) | grep -q .; then echo "FAIL: temporaries left after $stage's rerun"; exit 1; fi
  done
  [ $landed -ge 3 ] || { echo "FAIL: only $landed of 5 kills landed while $stage ran"; exit 1; }
  echo "ok: $stage killed (SIGKILL) at $landed points and rerun: byte-identical, no temporaries"
done
