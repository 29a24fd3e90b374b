#!/usr/bin/env bash
# A real one-node Slurm cluster (Debian's slurm-wlm + munge) started in OUT, the fixture study
# submitted with submit_study.sh (index -> map+count array -> analyse -> report, afterok
# dependencies), each job running kupffer in the container image through podman when the image
# from containers/test_container.sh exists, else the host binary; the results must equal
# `kupffer run`'s (REF: e2e.run's reference output). The daemons are stopped at the end, whatever
# happens. Everything (config, keys, state, logs, outputs) stays in OUT.
# Usage: test_slurm.sh KUPFFER STUDY REF OUT [PODMAN_DIR]   (exit 77 = skipped: no slurm-wlm/munge)
set -euo pipefail
kupffer=$(realpath "$1") study=$(realpath "$2") ref=$(realpath "$3") out=$4 podman_dir=${5:+$(realpath "$5")}
src=$(cd "$(dirname "$0")/../.." && pwd)
for tool in slurmctld slurmd munged sbatch; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not installed (apt-get install slurm-wlm munge)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "skipped: starting slurmd needs root"; exit 77; }
rm -rf "$out" && mkdir -p "$out"/{munge,state,spool,study}
out=$(realpath "$out")
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
port=$((16000 + RANDOM % 2000))

# munge with its own key and socket; slurm told where the socket is.
dd if=/dev/urandom of="$out/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$out/munge" && chmod 400 "$out/munge/munge.key"
munged --force --key-file="$out/munge/munge.key" --socket="$out/munge/munge.socket" --pid-file="$out/munge/munged.pid" \
  --log-file="$out/munge/munged.log" --seed-file="$out/munge/munged.seed"
cat >"$out/slurm.conf" <<CONF
ClusterName=kupffer-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$out/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=3600
StateSaveLocation=$out/state
SlurmdSpoolDir=$out/spool
SlurmctldPidFile=$out/slurmctld.pid
SlurmdPidFile=$out/slurmd.pid
SlurmctldLogFile=$out/slurmctld.log
SlurmdLogFile=$out/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$out/slurm.conf
stop() {  # the daemons, and wait until they are gone (slurmctld saves its state first)
  local pids=()
  for f in "$out/slurmd.pid" "$out/slurmctld.pid" "$out/munge/munged.pid"; do
    [ -f "$f" ] && pids+=("$(cat "$f")")
  done
  pids+=($(pgrep -f "slurm(ctld|d) -f $out/slurm.conf" || true))
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "${pids[@]}" 2>/dev/null || return 0; sleep 1; done
  kill -9 "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT
slurmctld -f "$out/slurm.conf"
slurmd -f "$out/slurm.conf"
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)' && break; sleep 1; done
sinfo -h -o %T | grep -qE '^(idle|mixed)' || { echo "FAIL: the Slurm node did not come up"; tail -5 "$out/slurmctld.log" "$out/slurmd.log"; exit 1; }
echo "slurm: one node ($host, $cpus CPUs, $memory MB) up"

# The study: the samplesheet with lanes, as kupffer run and Nextflow take it.
sheet=$out/study/samplesheet.csv
echo "sample,fastq_1,fastq_2,group,timepoint,animal" >"$sheet"
tail -n +2 "$study/samplesheet.csv" | while IFS=, read -r s g t a; do
  for r1 in "$study"/run/"${s}"_S*_L00?_R1_001.fastq.gz; do echo "$s,$r1,${r1/_R1_/_R2_},$g,$t,$a" >>"$sheet"; done
done
runner=$kupffer
if [ -n "$podman_dir" ] && command -v podman >/dev/null && \
   CONTAINERS_CONF=$podman_dir/containers.conf podman --root "$podman_dir/storage" --runroot "$podman_dir/runroot" image exists kupffer:test 2>/dev/null; then
  runner="env CONTAINERS_CONF=$podman_dir/containers.conf podman --root $podman_dir/storage --runroot $podman_dir/runroot run --rm --network none -v $out:$out -v $study:$study:ro kupffer:test kupffer"
  echo "jobs run kupffer in the container image kupffer:test (podman)"
else
  echo "jobs run the host's kupffer (no container image in ${podman_dir:-(none given)})"
fi
start=$SECONDS
"$src/workflows/slurm/submit_study.sh" --samplesheet "$sheet" --genome "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" \
  --whitelist "$study/whitelist.txt.gz" --out "$out/run" --cpus "$cpus" --memory-mb 4000 --kupffer "$runner" \
  --count-args "--velocity --emptydrops-iterations 2000" --analyse-args "--min-cells 5" --wait \
  || { echo "FAIL: the Slurm jobs failed"; tail -n 20 "$out"/run/slurm/*.log; exit 1; }
echo "slurm: study done in $((SECONDS - start)) s"

# Same results as kupffer run.
for s in $(cat "$out/run/slurm/samples.txt"); do
  for f in records.kpf filtered_feature_bc_matrix/matrix.mtx.gz raw_feature_bc_matrix/matrix.mtx.gz velocity/unspliced/matrix.mtx.gz \
           counts.h5ad filtered_feature_bc_matrix.h5 metrics.json cell_calls.tsv.gz; do
    cmp -s "$out/run/work/$s/$s/$f" "$ref/samples/$s/$f" || { echo "FAIL: $s/$f differs from kupffer run's"; exit 1; }
  done
done
for f in analysis.h5ad cells.tsv.gz clusters.tsv markers.tsv composition.tsv cytokine_tests.tsv maturation.tsv pseudobulk_de.tsv.gz; do
  cmp -s "$out/run/analysis/$f" "$ref/analysis/$f" || { echo "FAIL: analysis/$f differs from kupffer run's"; exit 1; }
done
grep -q "The answer: IL-6" "$out/run/report.html" || { echo "FAIL: no report"; exit 1; }
# Wall time per job, as Slurm measured it.
scontrol show job 2>/dev/null | grep -oE "JobName=[a-z_]+|RunTime=[0-9:-]+" | paste - - | sed 's/JobName=//; s/RunTime=//' >"$out/jobs.txt" || true
sed 's/^/  /' "$out/jobs.txt"
echo "ok: Slurm (index, $(wc -l <"$out/run/slurm/samples.txt") map+count array tasks, analyse, report with afterok) gives kupffer run's matrices and analysis"
