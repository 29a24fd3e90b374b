#!/usr/bin/python3
"""Compares kupffer's matrix counted from STARsolo's BAM (`kupffer count --bam`) with STARsolo's
own Solo.out/Gene/raw matrix of the same run, entry by entry (gene id x barcode).
Usage: compare_starsolo.py SOLO_GENE_RAW_DIR KUPFFER_SAMPLE_DIR. Exit 77 if scipy is missing."""
import gzip
import sys

try:
    import numpy as np
    import scipy.io
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

solo, ours = sys.argv[1], sys.argv[2]


def load(folder, gz):
    o = (lambda p: gzip.open(p, "rt")) if gz else open
    ext = ".gz" if gz else ""
    m = scipy.io.mmread(f"{folder}/matrix.mtx{ext}").tocsc()
    genes = [l.split("\t")[0] for l in o(f"{folder}/features.tsv{ext}")]
    bcs = [l.strip().split("-")[0] for l in o(f"{folder}/barcodes.tsv{ext}")]
    return m, genes, bcs


sm, sg, sb = load(solo, False)
km, kg, kb = load(f"{ours}/raw_feature_bc_matrix", True)
s_gene = {g: i for i, g in enumerate(sg)}
s_bc = {b: i for i, b in enumerate(sb)}
# kupffer's matrix re-indexed onto STARsolo's rows and columns.
km = km.tocoo()
rows = np.array([s_gene[kg[r]] for r in km.row])
cols = np.array([s_bc[kb[c]] for c in km.col])
ours_on_solo = scipy.sparse.csc_matrix((km.data, (rows, cols)), shape=sm.shape)
diff = abs(ours_on_solo - sm)
total_s, total_k = sm.sum(), ours_on_solo.sum()
entries = (sm != 0).sum()
exact = entries - (diff != 0).multiply(sm != 0).sum()
print(f"STARsolo UMIs {int(total_s)}, kupffer from its BAM {int(total_k)} (ratio {total_k / total_s:.4f}); "
      f"{exact / entries:.4f} of STARsolo's nonzero entries equal; sum |difference| {int(diff.sum())}")
assert abs(total_k / total_s - 1) < 0.01, "totals differ by more than 1%"
assert exact / entries > 0.99, "fewer than 99% of entries agree"
