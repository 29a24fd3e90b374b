#!/usr/bin/python3
"""Real-client test: anndata, h5py and scipy (Debian's, under /usr/bin/python3) load every matrix
`kupffer count` wrote, with exactly the values of kupffer's own MatrixMarket files.
Usage: anndata_loads.py SAMPLES_FOLDER. Exit 77 (CTest: skipped) if the packages are missing."""
import pathlib
import sys

try:
    import anndata
    import h5py
    import numpy as np
    import scipy.io
    import scipy.sparse
except ImportError as e:
    print(f"skipped: {e} (apt-get install python3-anndata python3-h5py python3-scipy)")
    sys.exit(77)

samples = sorted(p for p in pathlib.Path(sys.argv[1]).iterdir() if (p / "counts.h5ad").exists())
assert samples, "no sample folder with counts.h5ad"
for s in samples:
    mtx = scipy.io.mmread(s / "filtered_feature_bc_matrix/matrix.mtx.gz").tocsr()  # genes x cells
    barcodes = [l.decode().strip() for l in __import__("gzip").open(s / "filtered_feature_bc_matrix/barcodes.tsv.gz")]
    features = [l.decode().rstrip("\n").split("\t") for l in __import__("gzip").open(s / "filtered_feature_bc_matrix/features.tsv.gz")]
    a = anndata.read_h5ad(s / "counts.h5ad")
    assert a.shape == (mtx.shape[1], mtx.shape[0]), (a.shape, mtx.shape)
    assert list(a.obs_names) == barcodes
    assert list(a.var["gene_ids"]) == [f[0] for f in features]
    assert list(a.var_names) == [f[1] for f in features]
    assert abs(a.X - mtx.T).sum() == 0, "h5ad X differs from matrix.mtx.gz"
    for layer in ("spliced", "unspliced", "ambiguous"):
        assert a.layers[layer].shape == a.shape
    with h5py.File(s / "filtered_feature_bc_matrix.h5") as f:
        g = f["matrix"]
        shape = tuple(g["shape"][:])
        h5 = scipy.sparse.csc_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=shape)
        assert abs(h5 - mtx).sum() == 0, "10x HDF5 differs from matrix.mtx.gz"
        assert [b.decode() for b in g["barcodes"][:]] == barcodes
        assert [x.decode() for x in g["features/id"][:]] == [f[0] for f in features]
    print(f"{s.name}: {a.n_obs} cells x {a.n_vars} genes, {int(mtx.sum())} UMIs: h5ad and 10x HDF5 match the MTX")
