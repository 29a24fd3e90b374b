#!/usr/bin/env bash
# Peer check for `kupffer count --bam`: STARsolo (Debian rna-star) aligns one simulated sample
# and writes a BAM with CB/UB/GX tags plus its own matrix; kupffer counts that BAM and the two
# matrices must agree (compare_starsolo.py). STARsolo's UMI rule is set to UMI-tools' directional,
# which kupffer implements. Exit 77 (skipped) without STAR.
# Usage: starsolo_bam.sh KUPFFER STUDY WORKDIR
set -euo pipefail
kupffer=$1 study=$2 work=$3
command -v STAR >/dev/null || { echo "skipped: STAR not installed (apt-get install rna-star)"; exit 77; }
rm -rf "$work"; mkdir -p "$work/idx"
zcat "$study/whitelist.txt.gz" > "$work/wl.txt"
STAR --runMode genomeGenerate --genomeDir "$work/idx" --genomeFastaFiles "$study/reference/genome.fa" \
  --sjdbGTFfile "$study/reference/genes.gtf" --genomeSAindexNbases 9 --runThreadN 2 --outFileNamePrefix "$work/idx/" >/dev/null
sample=$(ls "$study/run" | grep _R1_ | head -1 | sed 's/_S[0-9]*_L00[0-9]_R1_001.fastq.gz//')
r1=$(ls "$study"/run/"$sample"_*_R1_001.fastq.gz | paste -sd,)
STAR --genomeDir "$work/idx" --readFilesIn "${r1//_R1_/_R2_}" "$r1" --readFilesCommand zcat --soloType CB_UMI_Simple \
  --soloCBwhitelist "$work/wl.txt" --soloCBstart 1 --soloCBlen 16 --soloUMIstart 17 --soloUMIlen 12 --soloFeatures Gene \
  --soloUMIdedup 1MM_Directional_UMItools --outSAMtype BAM SortedByCoordinate --outSAMattributes NH HI CB UB GX GN \
  --runThreadN 2 --outFileNamePrefix "$work/" >/dev/null
"$kupffer" count --bam "$work/Aligned.sortedByCoord.out.bam" --out "$work/kupffer" --emptydrops-iterations 2000
/usr/bin/python3 "$(dirname "$0")/compare_starsolo.py" "$work/Solo.out/Gene/raw" "$work/kupffer"
# A BAM (here SAM) without the tags is refused clearly.
untagged="$work/untagged.sam"
printf '@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:100\nr1\t0\tchr1\t1\t255\t4M\t*\t0\t0\tACGT\tFFFF\n' > "$untagged"
if "$kupffer" count --bam "$untagged" --out "$work/untagged" 2>"$work/err.txt"; then
  echo "a BAM without CB/UB/GX was accepted"; exit 1
fi
grep -q "no alignment carries CB, UB and GX" "$work/err.txt" || { cat "$work/err.txt"; exit 1; }
echo "untagged BAM refused: $(cat "$work/err.txt")"
