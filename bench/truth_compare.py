#!/usr/bin/python3
"""Per-cell accuracy of a count matrix against `kupffer simulate`'s truth.

Usage: truth_compare.py TRUTH_COUNTS_DIR MATRIX_DIR TRUTH_BARCODES [--truth spliced|all] [--genes annotated]

TRUTH_COUNTS_DIR is truth/counts/<sample>/ (matrix.mtx.gz: every molecule; spliced.mtx.gz: spliced
ones), MATRIX_DIR any 10x-style matrix folder (kupffer's, STARsolo's Solo.out/Gene*/raw), genes
joined by id. Over the true cells: the median per-cell Pearson correlation, the counted UMIs as a
share of the true ones, and the same over the annotation's genes alone (`--genes annotated` leaves
out the simulator's own kupffer_* catalogue genes, KPFG ids).
"""
import argparse, gzip, os
import numpy as np, scipy.io, scipy.sparse as sp


def lines(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as f:
        return [l.rstrip("\n") for l in f]


def first(folder, names):
    for n in names:
        if os.path.exists(os.path.join(folder, n)):
            return os.path.join(folder, n)
    raise SystemExit(f"{folder}: none of {names}")


def main():
    a = argparse.ArgumentParser()
    a.add_argument("truth"), a.add_argument("matrix"), a.add_argument("barcodes")
    a.add_argument("--truth-matrix", default="matrix.mtx.gz")
    a.add_argument("--label", default="")
    args = a.parse_args()
    T = scipy.io.mmread(os.path.join(args.truth, args.truth_matrix)).tocsc()
    genes = [l.split("\t")[0] for l in lines(os.path.join(args.truth, "features.tsv.gz"))]
    tb = [l[:16] for l in lines(os.path.join(args.truth, "barcodes.tsv.gz"))]
    O = scipy.io.mmread(first(args.matrix, ["matrix.mtx.gz", "matrix.mtx"])).tocsc()
    og = [l.split("\t")[0] for l in lines(first(args.matrix, ["features.tsv.gz", "features.tsv", "genes.tsv"]))]
    ob = [l[:16] for l in lines(first(args.matrix, ["barcodes.tsv.gz", "barcodes.tsv"]))]
    cells = {f[1] for f in (l.split("\t") for l in lines(args.barcodes)[1:]) if f[2] == "1"}
    row = {g: i for i, g in enumerate(genes)}
    keep = [i for i, g in enumerate(og) if g in row]
    P = sp.csr_matrix((np.ones(len(keep)), ([row[og[i]] for i in keep], keep)), shape=(len(genes), len(og)))
    O = (P @ O).tocsc()  # the matrix on the truth's genes
    col = {b: i for i, b in enumerate(ob)}
    annotated = np.array([not g.startswith("KPFG") for g in genes])
    for name, mask in (("all genes", np.ones(len(genes), bool)), ("annotation's genes", annotated)):
        rs, true_total, counted = [], 0.0, 0.0
        for j, b in enumerate(tb):
            if b not in cells:
                continue
            x = T[:, j].toarray().ravel()[mask]
            y = O[:, col[b]].toarray().ravel()[mask] if b in col else np.zeros(mask.sum())
            true_total += x.sum(); counted += y.sum()
            if x.std() > 0 and y.std() > 0:
                rs.append(np.corrcoef(x, y)[0, 1])
        print(f"{args.label:34s} {name:20s} cells {len(rs):5d}  median Pearson {np.median(rs):.4f}  "
              f"UMIs/truth {counted / true_total:.4f}")


if __name__ == "__main__":
    main()
