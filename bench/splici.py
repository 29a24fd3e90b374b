#!/usr/bin/env python3
"""Writes the reference kupffer indexes -- mature transcripts plus each gene's introns flanked by
k-1 bases (alevin-fry's "splici") -- as FASTA with a transcript-to-gene map, so kallisto indexes
exactly the same sequences in the benchmark. Benchmark helper only; kupffer never runs it.
Usage: splici.py genome.fa genes.gtf k out.fa out.t2g.tsv"""
import gzip
import re
import sys
from collections import defaultdict


def opener(path):
    return gzip.open(path, "rt") if path.endswith(".gz") else open(path)


def revcomp(s):
    return s.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]


genome_path, gtf_path, k, out_fa, out_t2g = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
genome, name, parts = {}, None, []
with opener(genome_path) as f:
    for line in f:
        if line.startswith(">"):
            if name:
                genome[name] = "".join(parts).upper()
            name, parts = line[1:].split()[0], []
        else:
            parts.append(line.strip())
if name:
    genome[name] = "".join(parts).upper()

exons = defaultdict(list)  # transcript -> [(start0, end)]
tx_gene, gene_info = {}, {}
attr = re.compile(r'(\S+) "([^"]*)"')
with opener(gtf_path) as f:
    for line in f:
        if line.startswith("#"):
            continue
        c = line.rstrip("\n").split("\t")
        if len(c) != 9 or c[2] != "exon":
            continue
        a = dict(attr.findall(c[8]))
        tx, gene = a["transcript_id"], a["gene_id"]
        exons[tx].append((int(c[3]) - 1, int(c[4])))
        tx_gene[tx] = gene
        gene_info.setdefault(gene, [c[0], c[6], a.get("gene_name", gene)])

with open(out_fa, "w") as fa, open(out_t2g, "w") as t2g:
    gene_exons = defaultdict(list)
    for tx, ex in exons.items():
        ex.sort()
        chrom, strand, gname = gene_info[tx_gene[tx]]
        seq = "".join(genome[chrom][s:e] for s, e in ex)
        fa.write(f">{tx}\n{seq if strand == '+' else revcomp(seq)}\n")
        t2g.write(f"{tx}\t{tx_gene[tx]}\t{gname}\n")
        gene_exons[tx_gene[tx]].extend(ex)
    for gene, ex in gene_exons.items():
        chrom, strand, gname = gene_info[gene]
        ex.sort()
        start, end = ex[0][0], max(e for _, e in ex)
        covered, n = start, 0
        for s, e in ex:
            if s > covered:
                a, b = max(start, covered - (k - 1)), min(end, s + (k - 1))
                seq = genome[chrom][a:b]
                n += 1
                fa.write(f">{gene}-I{n}\n{seq if strand == '+' else revcomp(seq)}\n")
                t2g.write(f"{gene}-I{n}\t{gene}\t{gname}\n")
            covered = max(covered, e)
