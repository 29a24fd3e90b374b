#!/usr/bin/python3
"""Real-client test: anndata (Debian's, under /usr/bin/python3) loads `kupffer analyse`'s h5ad as
scanpy users would, and its contents agree with kupffer's own tables (cells.tsv.gz).
Usage: anndata_analysis.py ANALYSIS_FOLDER. Exit 77 (CTest: skipped) if the packages are missing."""
import gzip
import math
import pathlib
import sys

try:
    import anndata
    import numpy as np
except ImportError as e:
    print(f"skipped: {e} (apt-get install python3-anndata)")
    sys.exit(77)

folder = pathlib.Path(sys.argv[1])
a = anndata.read_h5ad(folder / "analysis.h5ad")
print(a)
for col in ("sample", "group", "timepoint", "animal", "leiden", "cell_type", "maturation_pseudotime", "total_counts", "pct_counts_mt"):
    assert col in a.obs.columns, f"obs lacks {col}"
for col in ("sample", "group", "leiden", "cell_type"):
    assert str(a.obs[col].dtype) == "category", f"obs[{col}] is {a.obs[col].dtype}, not categorical"
assert a.obsm["X_umap"].shape == (a.n_obs, 2)
assert a.obsm["X_pca"].shape[0] == a.n_obs
assert "counts" in a.layers
# X is log2(count / size factor + 1) of the counts layer.
counts = a.layers["counts"].tocsr()
x = a.X.tocsr()
sf = a.obs["size_factor"].to_numpy()
row = counts[0].toarray().ravel()
assert np.allclose(x[0].toarray().ravel(), np.log2(row / sf[0] + 1), atol=1e-5)
assert abs(counts.sum(axis=1).A1 - a.obs["total_counts"].to_numpy()).max() < 1e-6

with gzip.open(folder / "cells.tsv.gz", "rt") as f:
    header = f.readline().rstrip("\n").split("\t")
    rows = {r[0]: r for r in (line.rstrip("\n").split("\t") for line in f)}
h = {name: i for i, name in enumerate(header)}
analysed = [c for c, r in rows.items() if r[h["analysed"]] == "1"]
assert list(a.obs_names) == analysed, "h5ad cells differ from the analysed cells of cells.tsv.gz"
for cell in a.obs_names[:: max(1, a.n_obs // 200)]:
    r = rows[cell]
    assert a.obs.loc[cell, "cell_type"] == r[h["cell_type"]]
    assert str(a.obs.loc[cell, "leiden"]) == r[h["cluster"]]
    t = a.obs.loc[cell, "maturation_pseudotime"]
    assert (math.isnan(t) and r[h["maturation_pseudotime"]] == "NA") or abs(t - float(r[h["maturation_pseudotime"]])) < 1e-5
print(f"anndata: {a.n_obs} cells x {a.n_vars} genes, {a.obs['cell_type'].nunique()} cell types; consistent with cells.tsv.gz")
