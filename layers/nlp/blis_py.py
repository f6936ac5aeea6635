"""Installed as `blis/py.py` in the NlpLayer, in place of blis' 17 MiB `blis.py` extension.

blis ships the whole BLIS library twice: once in `blis.cy` (the Cython API that thinc's and
spaCy's compiled code calls, kept) and once in `blis.py` (the Python API). thinc reaches
`blis.py` only through `NumpyOps.gemm` when `use_blis` is on; claimwatch runs its pipeline with
`NumpyOps(use_blis=False)` (claimwatch.extract.nlp), but thinc and spaCy still construct default
`NumpyOps()` objects at import, which require `blis.py` to import. This module satisfies that and
computes any product it is asked for with numpy (OpenBLAS, already in the layer), with blis'
semantics: out = alpha * op(A) @ op(B) + beta * out.
"""

import numpy


def gemm(A, B, out=None, trans1=False, trans2=False, alpha=1.0, beta=1.0):
    product = numpy.matmul(A.T if trans1 else A, B.T if trans2 else B)
    if alpha != 1.0:
        product *= alpha
    if out is None:
        return product
    if beta == 0.0:
        out[...] = product
    else:
        out *= beta
        out += product
    return out
