#!/usr/bin/env bash
# The Nextflow pipeline as far as this machine can run it (Nextflow itself is not installable):
#  1. every .nf and .config file under workflows/nextflow parses with Groovy;
#  2. each module's script: block, rendered for real tasks of the fixture study (task.cpus,
#     task.memory, task.ext.args, meta, inputs staged as Nextflow stages them, lanes as
#     fastq_001/..., fastq_002/...), runs with bash — inside the container image kupffer:test when
#     containers/test_container.sh built it in PODMAN_DIR, as Nextflow's podman profile would run
#     it — and the matrices, records and analysis equal `kupffer run`'s on the same study
#     (e2e.run's reference output);
#  3. each stub: block makes every output its process declares.
# The samplesheet the pipeline reads is checked against workflows/samplesheet.schema.json.
# Usage: nextflow_modules.sh KUPFFER STUDY REF WORK [PODMAN_DIR]   (exit 77: groovy or Java missing)
set -euo pipefail
kupffer=$1 study=$(realpath "$2") ref=$3 work=$4 podman_dir=${5:+$(realpath "$5")}
src=$(cd "$(dirname "$0")/.." && pwd)
nf=$src/workflows/nextflow
render=$src/tests/nextflow/render_process.groovy
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
command -v groovy >/dev/null && [ -d "$JAVA_HOME" ] || { echo "skip: groovy or Java not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work/bin"
ln -s "$kupffer" "$work/bin/kupffer"
export PATH="$work/bin:$PATH"

# 1. Parse.
cat >"$work/parse.groovy" <<'EOF'
int bad = 0
args.each { f ->
    try { new GroovyShell().parse(new File(f)) } catch (Exception e) { println "FAIL: ${f}: ${e.message}"; bad++ }
}
System.exit(bad ? 1 : 0)
EOF
mapfile -t files < <(find "$nf" -name '*.nf' -o -name '*.config' | sort)
groovy "$work/parse.groovy" "${files[@]}"
echo "ok: ${#files[@]} Nextflow files parse"

# The samplesheet of this study in the pipeline's form: one row per lane.
sheet=$work/samplesheet.csv
echo "sample,fastq_1,fastq_2,group,timepoint,animal" >"$sheet"
tail -n +2 "$study/samplesheet.csv" | while IFS=, read -r s g t a; do
  for r1 in "$study"/run/"${s}"_S*_L00?_R1_001.fastq.gz; do echo "$s,$r1,${r1/_R1_/_R2_},$g,$t,$a" >>"$sheet"; done
done
/usr/bin/python3 - "$src/workflows/samplesheet.schema.json" "$sheet" <<'PY'
import csv, json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
jsonschema.validate(rows, schema)
bad = [{"sample": "../x", "fastq_1": "a_R1.fq.gz", "fastq_2": "a_R2.fq.gz", "group": "c", "timepoint": "D3", "animal": "RM1"},
       {"sample": "A", "fastq_1": "a_R1.fq.gz", "fastq_2": "a_R2.fq.gz", "group": "c", "timepoint": "D3", "animal": ""}]
for row in bad:
    try:
        jsonschema.validate([row], schema)
        sys.exit(f"FAIL: the samplesheet schema accepted {row}")
    except jsonschema.ValidationError:
        pass
print(f"ok: the samplesheet ({len(rows)} lanes) passes workflows/samplesheet.schema.json; bad rows are refused")
PY

in_container=()
if [ -n "$podman_dir" ] && command -v podman >/dev/null &&
   CONTAINERS_CONF=$podman_dir/containers.conf podman --root "$podman_dir/storage" --runroot "$podman_dir/runroot" image exists kupffer:test 2>/dev/null; then
  in_container=(env CONTAINERS_CONF="$podman_dir/containers.conf" podman --root "$podman_dir/storage" --runroot "$podman_dir/runroot"
                run --rm --network none -u "$(id -u):$(id -g)" -e PATH=/usr/local/bin:/usr/bin:/bin
                -v "$work:$work" -v "$study:$study:ro" kupffer:test)
  echo "module scripts run in the container image kupffer:test"
else
  echo "module scripts run with the host's kupffer (no container image${podman_dir:+ in $podman_dir})"
fi
task() {  # task MODULE BLOCK DIR BINDINGS_JSON: render the block and run it in DIR
  local module=$nf/modules/local/$1/main.nf
  printf '%s' "$4" >"$3/.bindings.json"
  groovy "$render" "$module" "$2" "$3/.bindings.json" >"$3/.command.sh"
  if [ "$2" = script ] && [ ${#in_container[@]} -gt 0 ]; then
    "${in_container[@]}" /bin/bash -c "cd '$3' && bash -eo pipefail .command.sh" >"$3/.command.log" 2>&1 \
      || { echo "FAIL: $1 $2 failed in the container:"; cat "$3/.command.sh" "$3/.command.log"; exit 1; }
  else
    (cd "$3" && bash -eo pipefail .command.sh >.command.log 2>&1) || { echo "FAIL: $1 $2 failed:"; cat "$3/.command.sh" "$3/.command.log"; exit 1; }
  fi
}

# 2. Real tasks: index once, map+count per sample, analyse, report.
d=$work/index && mkdir -p "$d"
ln -s "$study/reference/genome.fa" "$d/genome.fa"; ln -s "$study/reference/genes.gtf" "$d/genes.gtf"
task kupffer_index script "$d" '{"process": "KUPFFER_INDEX", "cpus": 2, "ext": {}, "inputs": {"meta": {"id": "reference"}, "genome": "genome.fa", "gtf": "genes.gtf"}}'
samples=$(tail -n +2 "$study/samplesheet.csv" | cut -d, -f1)
for s in $samples; do
  d=$work/map_$s && mkdir -p "$d"
  ln -s "$work/index/index" "$d/index"; ln -s "$study/whitelist.txt.gz" "$d/whitelist.txt.gz"
  reads="" n=0
  while IFS=, read -r name r1 r2 _; do
    [ "$name" = "$s" ] || continue
    for f in "$r1" "$r2"; do
      n=$((n + 1)); dir=$(printf 'fastq_%03d' $n); mkdir -p "$d/$dir"; ln -s "$f" "$d/$dir/"
      reads+="${reads:+, }\"$dir/$(basename "$f")\""
    done
  done < <(tail -n +2 "$sheet")
  task kupffer_map_count script "$d" "{\"process\": \"KUPFFER_MAP_COUNT\", \"cpus\": 2, \"memory_mb\": 6144,
    \"ext\": {\"count_args\": \"--velocity --emptydrops-iterations 2000\"},
    \"inputs\": {\"meta\": {\"id\": \"$s\"}, \"reads\": [$reads], \"index\": \"index\", \"whitelist\": \"whitelist.txt.gz\"}}"
  for f in records.kpf filtered_feature_bc_matrix/matrix.mtx.gz raw_feature_bc_matrix/matrix.mtx.gz velocity/unspliced/matrix.mtx.gz \
           counts.h5ad filtered_feature_bc_matrix.h5 metrics.json cell_calls.tsv.gz; do
    cmp -s "$d/samples/$s/$f" "$ref/samples/$s/$f" || { echo "FAIL: $s/$f differs from kupffer run's"; exit 1; }
  done
done
echo "ok: KUPFFER_INDEX and KUPFFER_MAP_COUNT (one task per sample, lanes staged as fastq_00N/) give kupffer run's records and matrices"

d=$work/analyse && mkdir -p "$d/samples"
for s in $samples; do ln -s "$work/map_$s/samples/$s" "$d/samples/$s"; done
{ echo "sample,group,timepoint,animal"; tail -n +2 "$sheet" | cut -d, -f1,4- | awk '!seen[$0]++'; } >"$d/samplesheet.csv"
task kupffer_analyse script "$d" '{"process": "KUPFFER_ANALYSE", "cpus": 2, "ext": {"args": "--min-cells 5"}, "inputs": {"meta": {"id": "study"}, "samplesheet": "samplesheet.csv"}}'
for f in analysis.h5ad cells.tsv.gz clusters.tsv markers.tsv composition.tsv cytokine_tests.tsv maturation.tsv pseudobulk_de.tsv.gz; do
  cmp -s "$d/analysis/$f" "$ref/analysis/$f" || { echo "FAIL: analysis/$f differs from kupffer run's"; exit 1; }
done
echo "ok: KUPFFER_ANALYSE gives kupffer run's analysis"
d=$work/report && mkdir -p "$d/samples"
for s in $samples; do ln -s "$work/map_$s/samples/$s" "$d/samples/$s"; done
ln -s "$work/analyse/analysis" "$d/analysis"
task kupffer_report script "$d" '{"process": "KUPFFER_REPORT", "cpus": 1, "ext": {}, "inputs": {"meta": {"id": "study"}, "analysis": "analysis"}}'
grep -q "The answer: IL-6" "$d/report.html" && ls "$d"/multiqc/*_mqc.json >/dev/null || { echo "FAIL: KUPFFER_REPORT wrote no report"; exit 1; }
grep -q '"KUPFFER_REPORT":' "$d/versions.yml" && grep -q "kupffer: 0" "$d/versions.yml" || { echo "FAIL: versions.yml"; cat "$d/versions.yml"; exit 1; }
echo "ok: KUPFFER_REPORT writes report.html and the MultiQC files; versions.yml names kupffer's version"

# 3. Stubs make every declared output.
for module in kupffer_index kupffer_map_count kupffer_analyse kupffer_report; do
  d=$work/stub_$module && mkdir -p "$d"
  bindings="{\"process\": \"${module^^}\", \"cpus\": 1, \"ext\": {}, \"inputs\": {\"meta\": {\"id\": \"S1\"}, \"reads\": [\"fastq_001/a_R1_001.fastq.gz\", \"fastq_002/a_R2_001.fastq.gz\"], \"index\": \"index\", \"whitelist\": \"\", \"genome\": \"g.fa\", \"gtf\": \"g.gtf\", \"samplesheet\": \"s.csv\", \"analysis\": \"analysis\"}}"
  task "$module" stub "$d" "$bindings"
  printf '%s' "$bindings" >"$d/.bindings.json"
  groovy "$render" "$nf/modules/local/$module/main.nf" outputs "$d/.bindings.json" >"$d/.outputs"
  while read -r out; do
    (cd "$d" && compgen -G "$out" >/dev/null) || { echo "FAIL: the stub of $module does not make $out"; exit 1; }
  done <"$d/.outputs"
done
echo "ok: every stub makes every declared output"
