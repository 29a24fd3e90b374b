#!/usr/bin/env bash
# The bad-input catalogue (docs/errors.md), one test per row. The table in the docs is the source
# of every expectation: for each row `| id | stage | input | exit | message | left on disk |` this
# runs the function case_<id> below (which prepares its bad input in a folder of its own and runs
# kupffer through `kf`), then checks
#   - the exit code,
#   - that stderr matches the message column (an extended regular expression),
#   - what is left on disk: `nothing` (the output the case names does not exist), `unchanged` (the
#     output existed before and is byte-identical after), `complete` (the run finished: its output
#     exists), and in every case no temporary (*.partial, *.tmp) left anywhere in the case's folder.
# A row without a case, or a case without a row, fails the test: the table and the tests are one to
# one. Usage: catalogue.sh KUPFFER STUDY DOC WORK [id-regex]
set -uo pipefail
# shellcheck disable=SC2034  # variables the sourced cases use
kupffer=$(realpath "$1") study=$(realpath "$2") doc=$(realpath "$3") work=$4 only=${5:-.}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && work=$(realpath "$work")
shared=$work/shared
mkdir -p "$shared"

# --- Shared inputs, made once: an index, a one-lane run folder of two samples, both mapped and counted.
first=CTRL-RM01-D3 second=ALF-RM03-D3
setup() {
  "$kupffer" index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o "$shared/index" -t 2 >/dev/null || return 1
  mkdir -p "$shared/run"
  for s in $first $second; do
    for r in I1 R1 R2; do cp "$study/run/${s}"_S*_L001_${r}_001.fastq.gz "$shared/run/"; done
  done
  "$kupffer" map -i "$shared/index" --fastqs "$shared/run" --whitelist "$study/whitelist.txt.gz" -o "$shared/samples" -t 2 >/dev/null || return 1
  "$kupffer" count -i "$shared/samples" --emptydrops-iterations 1000 -t 2 >/dev/null || return 1
  grep -E "^(sample|$first|$second)," "$study/samplesheet.csv" >"$shared/samplesheet.csv"
  r1=$(ls "$shared/run/${first}"_S*_L001_R1_001.fastq.gz) r2=${r1/_R1_/_R2_}  # used by the cases
}
setup || { echo "FAIL: setting up the shared inputs"; exit 1; }

# --- Helpers for the cases (each runs in its own empty folder, the current directory).
kf() { temporaries >temporaries_before; "$kupffer" "$@" 2>stderr >stdout; echo $? >rc; }
snapshot() { find "$1" -type f -print0 | sort -z | xargs -0 -r md5sum >snapshot; }
map_args=(-i "$shared/index" --whitelist "$study/whitelist.txt.gz")
reads() { zcat "$1" | head -n "$2"; }                    # the first lines of a FASTQ
map_pair() { kf map "${map_args[@]}" --r1 "$1" --r2 "$2" --sample s -o out "${@:3}"; out=out; }
copy_samples() { cp -r "$shared/samples" samples; }
analyse_on() { kf analyse -s "${2:-$shared/samplesheet.csv}" -i "$1" -o analysis --min-cells 5 "${@:3}"; out=analysis; }
descriptor() {  # a valid descriptor for the shared inputs, then any extra lines
  printf 'output: out\nreference:\n  index: %s\ninput:\n  fastqs: [%s]\n  samplesheet: %s\n  whitelist: %s\n' \
    "$shared/index" "$shared/run" "$shared/samplesheet.csv" "$study/whitelist.txt.gz"
  printf '%s\n' "$@"
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
needs_root() {  # permissions and mounts are only tested as root (as CI runs); a case returns 77 = skipped
  [ "$(id -u)" = 0 ] && return 0; echo "needs root: runs kupffer as the user nobody (setpriv) or in a private mount namespace (unshare)" >stderr; return 1; }
stop_after() {  # stop_after SIGNAL SECONDS kupffer-args...: kf, with the signal sent after SECONDS
  local sig=$1 delay=$2; shift 2
  "$kupffer" "$@" 2>stderr >stdout & local pid=$!
  sleep "$delay"; kill -"$sig" $pid 2>/dev/null; wait $pid; echo $? >rc
}
stop_when() {  # stop_when SIGNAL 'shell test' kupffer-args...: kf, with the signal sent once the test holds (mid-stage)
  local sig=$1 condition=$2; shift 2
  "$kupffer" "$@" 2>stderr >stdout & local pid=$!
  for _ in $(seq 1 6000); do eval "$condition" && break; kill -0 $pid 2>/dev/null || break; sleep 0.005; done
  kill -"$sig" $pid 2>/dev/null; wait $pid; echo $? >rc
}
temporaries() { find . \( -name '*.partial*' -o -name '*.tmp' \) -print | sort; }

source "$here/catalogue_cases.sh"

# --- The table: every row's case runs; rows and cases are one to one.
rows=$(awk -F'|' '/^\| *`[a-z0-9_]+` *\|/ {gsub(/[ `]/, "", $2); print $2}' "$doc")
[ -n "$rows" ] || { echo "FAIL: no catalogue rows in $doc"; exit 1; }
failed=0 passed=0 skipped=0
cases=$(declare -F | awk '{print $3}' | sed -n 's/^case_//p' | sort)
extra=$(comm -13 <(echo "$rows" | sort) <(echo "$cases"))
[ -z "$extra" ] || { echo "FAIL: cases without a row in $(basename "$doc"): $extra"; failed=1; }
while IFS='|' read -r _ id stage what code message left _; do
  id=$(echo "$id" | tr -d ' `') code=$(echo "$code" | tr -d ' ') left=$(echo "$left" | tr -d ' ')
  message=$(echo "$message" | sed -e 's/^ *`//' -e 's/` *$//' -e 's/^`$//'); message=${message//$'\x01'/|}
  [[ $id =~ $only ]] || continue
  if ! declare -F "case_$id" >/dev/null; then echo "FAIL $id: a row without a case"; failed=$((failed + 1)); continue; fi
  dir=$work/cases/$id; mkdir -p "$dir"
  (cd "$dir" && out="" && "case_$id"; echo $? >"$dir/case_status"; printf '%s' "$out" >"$dir/out_name")
  if [ "$(cat "$dir/case_status")" = 77 ]; then skipped=$((skipped + 1)); echo "skip $id: $(cat "$dir/stderr")"; continue; fi
  out=$(cat "$dir/out_name") rc=$(cat "$dir/rc" 2>/dev/null || echo none)
  problems=()
  [ "$rc" = "$code" ] || problems+=("exit $rc, expected $code")
  [ -z "$message" ] || grep -Eq -- "$message" "$dir/stderr" 2>/dev/null || problems+=("stderr does not match /$message/")
  case $left in
    nothing) [ -n "$out" ] && [ -e "$dir/$out" ] && problems+=("$out was left") ;;
    unchanged) (cd "$dir" && find "$out" -type f -print0 | sort -z | xargs -0 -r md5sum) | cmp -s - "$dir/snapshot" || problems+=("$out changed") ;;
    complete) [ -n "$out" ] && [ -e "$dir/$out" ] || problems+=("no output $out") ;;
    *) problems+=("unknown 'left on disk' value '$left'") ;;
  esac
  # Temporaries the case made on purpose (a killed map's folder) are not the command's leftovers.
  leftovers=$(cd "$dir" && comm -23 <(temporaries) <(cat temporaries_before 2>/dev/null) | head -3)
  [ -z "$leftovers" ] || problems+=("temporaries left: $leftovers")
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $id"
  else
    failed=$((failed + 1)); echo "FAIL $id: $(IFS='; '; echo "${problems[*]}")"; sed 's/^/       stderr: /' "$dir/stderr" | head -4
  fi
done < <(grep -E '^\| *`[a-z0-9_]+` *\|' "$doc" | sed 's/\\|/\x01/g')  # \| is a | inside a cell
echo "catalogue: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
