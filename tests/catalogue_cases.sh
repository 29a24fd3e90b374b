# The cases of the bad-input catalogue (docs/errors.md; run by catalogue.sh, which defines the
# helpers kf, snapshot, map_pair, ... and the shared inputs $shared, $study, $r1, $r2). Each case
# runs in an empty folder of its own, makes its bad input there, runs kupffer once through `kf` and
# sets `out` to the output the table's "left on disk" column is about.
# shellcheck shell=bash disable=SC2034,SC2154

# --- Usage and options (exit 2)
case_unknown_command() { kf nosuch; }
case_no_command() { kf; }
case_unknown_option() { kf map "${map_args[@]}" --fastqs "$shared/run" -o out --no-such-flag; out=out; }
case_threads_too_many() { kf map "${map_args[@]}" --fastqs "$shared/run" -o out --threads 100000; out=out; }
case_threads_negative() { kf analyse -s "$shared/samplesheet.csv" -i "$shared/samples" -o analysis --threads -1; out=analysis; }
case_min_posterior_above_one() { map_pair "$r1" "$r2" --min-posterior 2; }
case_unknown_chemistry() { map_pair "$r1" "$r2" --chemistry 10xv9; }
case_even_k() { kf index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o index -k 30; out=index; }
case_sample_escapes_out() { map_pair "$r1" "$r2"; kf map "${map_args[@]}" --r1 "$r1" --r2 "$r2" --sample ../escaped -o out; out=../escaped; }
case_sample_empty() { kf map "${map_args[@]}" --r1 "$r1" --r2 "$r2" --sample "" -o out; out=out; }
case_r1_same_as_r2() { map_pair "$r1" "$r1"; }
case_out_is_a_file() { echo mine >out; snapshot out; kf map "${map_args[@]}" --fastqs "$shared/run" -o out; out=out; }
case_count_input_and_out() { kf count -i "$shared/samples" -o elsewhere; out=elsewhere; }
case_multi_gene_unknown() { copy_samples; snapshot samples; kf count -i samples --multi-gene some; out=samples; }
case_emptydrops_fdr_above_one() { copy_samples; snapshot samples; kf count -i samples --emptydrops-fdr 2; out=samples; }
case_pcs_too_many() { analyse_on "$shared/samples" "" --pcs 5000; }
case_cytokine_unknown() { analyse_on "$shared/samples" "" --cytokines IL6,NOTAGENE; }
case_nmads_negative() { analyse_on "$shared/samples" "" --nmads -1; }
case_resolution_zero() { analyse_on "$shared/samples" "" --resolution 0; }
case_trajectory_unknown_type() { analyse_on "$shared/samples" "" --trajectory hepatocyte_like; }
case_index_memory_too_small() { kf index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o index --memory 0.05; out=index; }
case_index_exists() { mkdir index && cp -r "$shared/index/." index/ && snapshot index
  kf index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o index; out=index; }
case_overwrite_foreign_folder() { mkdir index && echo "my notes" >index/notes.txt && snapshot index
  kf index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o index --overwrite; out=index; }
case_analysis_exists() { mkdir analysis && echo "my notes" >analysis/notes.txt && snapshot analysis
  analyse_on "$shared/samples"; }
case_run_unknown_from() { descriptor >study.yaml; kf run study.yaml --from clustering; out=out; }

# --- The descriptor (exit 2, file:line:column)
case_descriptor_missing() { kf run study.yaml; out=out; }
case_descriptor_yaml_syntax() { printf 'output: out\nreference: [index: x\n' >study.yaml; kf run study.yaml; out=out; }
case_descriptor_unknown_key() { descriptor "analyse:" "  resolutoin: 0.8" >study.yaml; kf run study.yaml; out=out; }
case_descriptor_wrong_type() { descriptor "analyse:" "  pcs: many" >study.yaml; kf run study.yaml; out=out; }
case_descriptor_no_reference() { printf 'output: out\ninput:\n  fastqs: [%s]\n  samplesheet: %s\n' "$shared/run" "$shared/samplesheet.csv" >study.yaml
  kf run study.yaml; out=out; }
case_descriptor_key_twice() { descriptor "output: again" >study.yaml; kf run study.yaml; out=out; }
case_descriptor_missing_file() { descriptor | sed "s#whitelist: .*#whitelist: nowhere.txt.gz#" >study.yaml; kf run study.yaml; out=out; }
case_descriptor_integrate_by_unknown() { descriptor "analyse:" "  integrate_by: donor" >study.yaml; kf run study.yaml; out=out; }

# --- The samplesheet (exit 2 in run, named with its line)
sheet_run() { descriptor | sed "s#samplesheet: .*#samplesheet: sheet.csv#" >study.yaml; kf run study.yaml; out=out; }
case_sheet_missing_column() { printf 'sample,group,animal\n%s,control,RM01\n' $first >sheet.csv; sheet_run; }
case_sheet_empty_animal() { printf 'sample,group,timepoint,animal\n%s,control,D3,\n' $first >sheet.csv; sheet_run; }
case_sheet_duplicate_sample() { printf 'sample,group,timepoint,animal\n%s,control,D3,RM01\n%s,control,D3,RM01\n' $first $first >sheet.csv; sheet_run; }
case_sheet_sample_without_fastqs() { printf 'sample,group,timepoint,animal\n%s,control,D3,RM01\nGHOST-RM09-D3,alf,D3,RM09\n' $first >sheet.csv; sheet_run; }
case_sheet_utf8_bom() { printf '\xef\xbb\xbf' >sheet.csv; cat "$shared/samplesheet.csv" >>sheet.csv
  descriptor | sed "s#samplesheet: .*#samplesheet: sheet.csv#" >study.yaml; kf run study.yaml --dry-run; out=""; }
case_sheet_crlf() { sed 's/$/\r/' "$shared/samplesheet.csv" >sheet.csv
  descriptor | sed "s#samplesheet: .*#samplesheet: sheet.csv#" >study.yaml; kf run study.yaml --dry-run; out=""; }

# --- Reference: FASTA and GTF (exit 1, file:line)
index_on() { kf index -g "${1:-$study/reference/genome.fa}" --gtf "${2:-$study/reference/genes.gtf}" -o index; out=index; }
case_fasta_no_header() { tail -n +2 "$study/reference/genome.fa" >g.fa; index_on g.fa; }
case_fasta_duplicate_contig() { cat "$study/reference/genome.fa" "$study/reference/genome.fa" >g.fa; index_on g.fa; }
case_fasta_empty() { : >g.fa; index_on g.fa; }
case_gtf_too_few_columns() { head -4 "$study/reference/genes.gtf" >g.gtf; printf 'chr1\tkupffer\texon\t100\n' >>g.gtf; index_on "" g.gtf; }
case_gtf_end_before_start() { head -4 "$study/reference/genes.gtf" >g.gtf
  printf 'chr1\tkupffer\texon\t500\t400\t.\t+\t.\tgene_id "G1"; transcript_id "T1";\n' >>g.gtf; index_on "" g.gtf; }
case_gtf_unknown_contig() { head -4 "$study/reference/genes.gtf" >g.gtf
  printf 'chrZ\tkupffer\texon\t100\t400\t.\t+\t.\tgene_id "G1"; transcript_id "T1";\n' >>g.gtf; index_on "" g.gtf; }
case_simulate_gtf_contig_not_in_genome() { head -4 "$study/reference/genes.gtf" >g.gtf
  printf 'chrZ\tkupffer\texon\t100\t400\t.\t+\t.\tgene_id "G1"; transcript_id "T1";\n' >>g.gtf
  kf simulate -o sim --gtf g.gtf --genome "$study/reference/genome.fa" --cells 50; out=sim; }
case_simulate_genome_without_gtf() { kf simulate -o sim --genome "$study/reference/genome.fa"; out=sim; }
case_gtf_chr_prefix_mismatch() { sed 's/^chr//' "$study/reference/genes.gtf" >g.gtf; index_on "" g.gtf; }
case_gtf_no_gene_id() { head -4 "$study/reference/genes.gtf" >g.gtf
  printf 'chr1\tkupffer\texon\t100\t400\t.\t+\t.\ttranscript_id "T1";\n' >>g.gtf; index_on "" g.gtf; }
case_gtf_exon_past_contig_end() { head -4 "$study/reference/genes.gtf" >g.gtf
  printf 'chr1\tkupffer\texon\t100\t900000000\t.\t+\t.\tgene_id "G1"; transcript_id "T1";\n' >>g.gtf; index_on "" g.gtf; }
case_gtf_no_exons() { grep -v $'\texon\t' "$study/reference/genes.gtf" >g.gtf; index_on "" g.gtf; }
case_gtf_crlf() { sed 's/$/\r/' "$study/reference/genes.gtf" >g.gtf; index_on "" g.gtf; }
case_index_old_version() { cp -r "$shared/index" index && /usr/bin/python3 - index <<'PY'
import json, sys, pathlib
p = pathlib.Path(sys.argv[1]) / "index.json"
meta = json.loads(p.read_text()); meta["format_version"] = 1; p.write_text(json.dumps(meta))
PY
  map_pair_index index; }
map_pair_index() { kf map -i "$1" --whitelist "$study/whitelist.txt.gz" --r1 "$r1" --r2 "$r2" --sample s -o out; out=out; }
case_index_file_missing() { cp -r "$shared/index" index && rm -f index/kmers.bin index/entries.bin; map_pair_index index; }
case_index_not_an_index() { mkdir index && echo x >index/readme.txt; map_pair_index index; }

# --- Reads (exit 1, file and record)
case_fastq_truncated_record() { reads "$r1" 402 >r1.fq; reads "$r2" 400 >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_no_final_newline() { reads "$r1" 400 | head -c -1 >r1.fq; reads "$r2" 400 >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_quality_length() { reads "$r1" 400 >r1.fq; reads "$r2" 400 | sed '8s/.$//' >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_no_at_sign() { reads "$r1" 400 | sed '5s/^@/>/' >r1.fq; reads "$r2" 400 >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_fewer_r2() { reads "$r1" 400 >r1.fq; reads "$r2" 396 >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_names_differ() { reads "$r1" 400 >r1.fq; reads "$r2" 400 | sed '5s/^@[^ ]*/@other/' >r2.fq; map_pair r1.fq r2.fq; }
case_fastq_r1_too_short() { reads "$r1" 400 | awk 'NR % 2 == 0 {print substr($0, 1, 20); next} {print}' >r1.fq; reads "$r2" 400 >r2.fq; map_pair r1.fq r2.fq; }
case_gzip_corrupt() { reads "$r1" 4000 | gzip >r1.fq.gz; reads "$r2" 4000 | gzip >r2.fq.gz
  printf 'garbage!' | dd of=r2.fq.gz bs=1 seek=2000 conv=notrunc 2>/dev/null; map_pair r1.fq.gz r2.fq.gz; }
case_gzip_truncated() { reads "$r1" 4000 | gzip >r1.fq.gz; reads "$r2" 4000 | gzip | head -c 3000 >r2.fq.gz; map_pair r1.fq.gz r2.fq.gz; }
case_gzip_members_concatenated() { (reads "$r1" 400 | gzip; zcat "$r1" | sed -n 401,800p | gzip) >r1.fq.gz
  reads "$r2" 800 | gzip >r2.fq.gz; map_pair r1.fq.gz r2.fq.gz; }
case_whitelist_wrong_length() { zcat "$study/whitelist.txt.gz" | cut -c1-12 >w.txt
  kf map -i "$shared/index" --whitelist w.txt --r1 "$r1" --r2 "$r2" --sample s -o out; out=out; }
case_whitelist_plain_text() { zcat "$study/whitelist.txt.gz" >w.txt
  kf map -i "$shared/index" --whitelist w.txt --r1 "$r1" --r2 "$r2" --sample s -o out; out=out; }
case_whitelist_not_dna() { printf 'AAAACCCCGGGGTTTT\nhello-world-1234\n' >w.txt
  kf map -i "$shared/index" --whitelist w.txt --r1 "$r1" --r2 "$r2" --sample s -o out; out=out; }
case_chemistry_forced_wrong() { map_pair "$r1" "$r2" --chemistry 10x5p; }
case_paths_with_spaces_and_accents() { mkdir "run é 1"; cp "$shared/run/${first}"_* "run é 1/"
  kf map "${map_args[@]}" --fastqs "run é 1" -o "out put é"; out="out put é"; }
case_fastqs_folder_empty() { mkdir run; kf map "${map_args[@]}" --fastqs run -o out; out=out; }

# --- Records, matrices and analysis inputs (exit 1)
case_records_truncated() { copy_samples; f=samples/$first/records.kpf; head -c $(($(stat -c %s $f) / 2)) $f >t && mv t $f
  rm -rf samples/$second samples/$first/metrics.json; kf count -i samples; out=samples/$first/metrics.json; }
case_count_unfinished_map() { copy_samples; rm samples/$second/map_metrics.json samples/$second/kupffer_map.json  # as a killed map leaves it
  mv samples/$second samples/$second.partial; rm -rf samples/$first/metrics.json; kf count -i samples; out=samples/$first/metrics.json; }
case_count_rerun_without_velocity() { copy_samples; "$kupffer" count -i samples --velocity --emptydrops-iterations 1000 >/dev/null 2>&1
  kf count -i samples --emptydrops-iterations 1000; out=samples/$first/velocity; }
case_count_no_samples() { mkdir samples; kf count -i samples; out=""; }
matrix_of() { echo "samples/$1/filtered_feature_bc_matrix"; }
case_mtx_duplicate_entry() { copy_samples; m=$(matrix_of $first)
  zcat $m/matrix.mtx.gz | awk '/^%/ {print; next} n == 0 {$3 = $3 + 1; print; n = 1; next} n == 1 {print; print; n = 2; next} {print}' \
    | gzip >x && mv x $m/matrix.mtx.gz; analyse_on samples; }
case_mtx_count_too_large() { copy_samples; m=$(matrix_of $first)
  zcat $m/matrix.mtx.gz | awk '!/^%/ && n == 1 {$3 = "4294967297"} !/^%/ {n++} {print}' | gzip >x && mv x $m/matrix.mtx.gz; analyse_on samples; }
case_mtx_negative_count() { copy_samples; m=$(matrix_of $first)
  zcat $m/matrix.mtx.gz | awk '!/^%/ && n == 1 {$3 = -3} !/^%/ {n++} {print}' | gzip >x && mv x $m/matrix.mtx.gz; analyse_on samples; }
case_mtx_fewer_entries() { copy_samples; m=$(matrix_of $first)
  zcat $m/matrix.mtx.gz | head -n -1 | gzip >x && mv x $m/matrix.mtx.gz; analyse_on samples; }
case_mtx_barcode_duplicated() { copy_samples; m=$(matrix_of $first)
  zcat $m/barcodes.tsv.gz | awk 'NR == 2 {print prev; next} {prev = $0; print}' | gzip >x && mv x $m/barcodes.tsv.gz; analyse_on samples; }
case_mtx_features_count_differs() { copy_samples; m=$(matrix_of $first)
  zcat $m/features.tsv.gz | head -n -1 | gzip >x && mv x $m/features.tsv.gz; analyse_on samples; }
case_sample_folder_missing() { copy_samples; rm -rf samples/$second; analyse_on samples; }
case_sample_with_no_cells() { copy_samples; m=$(matrix_of $first)
  zcat $m/matrix.mtx.gz | awk '/^%/ {print; next} !s {s = 1; print $1, 0, 0}' | gzip >x && mv x $m/matrix.mtx.gz
  : | gzip >$m/barcodes.tsv.gz; analyse_on samples; }
case_panels_bad_line() { printf 'classical_monocyte\tCD14,LYZ\nmacrophage_without_tab CD68\n' >panels.tsv
  analyse_on "$shared/samples" "" --panels panels.tsv; }
case_bam_not_a_bam() { echo "not a bam" >in.bam; kf count --bam in.bam -o counted; out=counted; }

# --- Environment (exit 3) and signals
case_output_not_writable() { needs_root || return 77; chmod 777 . && mkdir locked && chmod 555 locked
  as_nobody "$kupffer" map "${map_args[@]}" --r1 "$r1" --r2 "$r2" --sample s -o locked/out 2>stderr >stdout; echo $? >rc; out=locked/out; }
case_input_not_readable() { needs_root || return 77; chmod 777 . && cp "$r1" r1.fq.gz && chmod 000 r1.fq.gz
  as_nobody "$kupffer" map "${map_args[@]}" --r1 r1.fq.gz --r2 "$r2" --sample s -o out 2>stderr >stdout; echo $? >rc; out=out; }
case_file_size_limit() { (ulimit -f 64; kf map "${map_args[@]}" --fastqs "$shared/run" -o out); out=out; }
case_disk_full() { needs_root || return 77; on_small_disk 200 true map "${map_args[@]}" --fastqs "$shared/run" -o out; out=disk_after/out; }
on_small_disk() {  # on_small_disk KB 'setup' kupffer-args...: kf on a private KB-kilobyte file system (the case folder's disk/),
  # after running setup there; what is left on it is copied to disk_after/ for the checks.
  local kb=$1 prepare=$2; shift 2; mkdir disk
  unshare -m bash -c "mount -t tmpfs -o size=${kb}k tmpfs disk && cd disk && $prepare && { \"$kupffer\" $* 2>../stderr >../stdout; echo \$? >../rc; } && cp -a . ../disk_after"
}
case_count_disk_full() { needs_root || return 77  # room for the records and the matrices, not for the HDF5 files
  local kb=$(( $(stat -c %s "$shared/samples/$first/records.kpf") / 1024 + 160 ))
  on_small_disk $kb "mkdir -p samples/$first && cp $shared/samples/$first/{records.kpf,map_metrics.json,kupffer_map.json} samples/$first/" \
    count -i samples -t 2
  out=disk_after/samples/$first/metrics.json; }
case_analyse_disk_full() { needs_root || return 77
  on_small_disk 300 true analyse -s "$shared/samplesheet.csv" -i "$shared/samples" -o analysis --min-cells 5 -t 2; out=disk_after/analysis; }
case_sigterm_index() { stop_after TERM 0.3 index -g "$study/reference/genome.fa" --gtf "$study/reference/genes.gtf" -o index -t 2; out=index; }
case_sigterm_map() { stop_when TERM 'ls out/*.partial >/dev/null 2>&1' map "${map_args[@]}" --fastqs "$shared/run" -o out -t 2; out=out/$first; }
case_sigterm_count() { copy_samples; rm -rf samples/*/metrics.json
  stop_when TERM 'ls samples/*/count.partial >/dev/null 2>&1' count -i samples -t 2; out=samples/$first/metrics.json; }
case_sigterm_analyse() { stop_when TERM 'grep -q "samples" stderr' analyse -s "$shared/samplesheet.csv" -i "$shared/samples" -o analysis --min-cells 5 -t 2
  out=analysis; }
case_sigint_run() { descriptor >study.yaml; stop_when INT 'ls out/samples/*.partial >/dev/null 2>&1' run study.yaml -t 2; out=out/run.json; }
