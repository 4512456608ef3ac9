"""Writes numpy_functions.json: every .graph language function evaluated by NumPy.

These are the independent oracle for the forward values of the language: the Swift tests
build the same expressions with GraphBuilder and compare. Run: python3 make_numpy_fixtures.py

erf, lgamma, digamma and trigamma come from SciPy (scipy.special), also independent of graphc.
"""
import json
import numpy as np
from scipy import special

rng = np.random.default_rng(7)
x = np.array([[0.5, -1.25, 2.0], [3.5, 0.0, -0.75]])
y = np.array([[1.5, 2.0, -0.5], [0.25, 4.0, 1.0]])
row = np.array([0.5, -2.0, 1.5])
col = np.array([[2.0], [-1.0]])
pos = np.array([[0.5, 1.25, 2.0], [3.5, 0.1, 0.75]])
m = rng.normal(size=(3, 4))
v3 = np.array([1.0, -2.0, 0.5])
onehot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
# Arguments of the gamma family: both sides of 0 (reflection), large, and digamma's root.
gam = np.array([[0.3, -2.5, 7.25], [-0.6, 12.0, 1.4616321449683623]])
seq = np.linspace(-2.0, 2.5, 10)


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def log_softmax(a, axis):
    s = a - a.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


cases = {
    "exp": np.exp(x), "log": np.log(pos), "sin": np.sin(x), "cos": np.cos(x), "tan": np.tan(x),
    "tanh": np.tanh(x), "sqrt": np.sqrt(pos), "abs": np.abs(x), "square": np.square(x),
    "sigmoid": sigmoid(x), "relu": np.maximum(x, 0),
    "pow": np.power(pos, y), "max": np.maximum(x, y), "min": np.minimum(x, y),
    "where": np.where(x > 0, x, y),
    "lt": (x < y) * 1.0, "le": (x <= row) * 1.0, "gt": (x > 0.5) * 1.0, "ge": (x >= col) * 1.0,
    "eq": (x == 0) * 1.0, "ne": (x != 2) * 1.0,
    "add_row": x + row, "sub_col": x - col, "mul_scalar": x * 3, "div_row": x / row,
    "neg_pow": -x ** 2, "add_col_row": col + row,
    "sum_all": np.sum(x), "sum_0": np.sum(x, 0), "sum_neg1": np.sum(x, -1), "mean_all": np.mean(x),
    "mean_1": np.mean(x, 1), "reduce_max_neg1": np.max(x, -1), "reduce_max_0": np.max(x, 0),
    "logsumexp_1": np.log(np.exp(x).sum(1)), "softmax_neg1": np.exp(log_softmax(x, -1)),
    "log_softmax_0": log_softmax(x, 0),
    "cross_entropy": np.mean(-np.sum(onehot * log_softmax(x, -1), -1)),
    "transpose": x.T, "reshape": x.reshape(3, 2), "concat_0": np.concatenate([x, y], 0),
    "concat_neg1": np.concatenate([x, y], -1),
    "slice_from1": x[1:], "slice_cols": x[:, 1:3], "slice_butlast": x[:-1], "index_0": x[0],
    "index_last_col": x[:, -1], "slice_neg_range": x[:, -2:],
    "erf": special.erf(x), "gelu": 0.5 * x * (1 + special.erf(x / np.sqrt(2))),
    "lgamma": special.gammaln(gam), "digamma": special.digamma(gam),
    "trigamma": special.polygamma(1, gam),
    "cumsum_0": np.cumsum(x, 0), "cumsum_neg1": np.cumsum(x, -1), "cumsum_seq": np.cumsum(seq),
    "slice_step2": x[:, ::2], "slice_reverse": x[::-1], "slice_reverse_cols": x[:, ::-1],
    "slice_1_8_3": seq[1:8:3], "slice_back_3": seq[::-3], "slice_neg_bounds": seq[-2:1:-2],
    "slice_past_end": seq[8:100:5], "slice_empty_step": seq[5:2:2], "slice_index_step": x[1, ::-2],
    "matmul_2x2": x @ m, "matmul_1x2": v3 @ m, "matmul_2x1": x @ v3, "matmul_1x1": v3 @ v3,
}


def encode(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


out = {
    "inputs": {k: encode(v) for k, v in
               dict(x=x, y=y, row=row, col=col, pos=pos, m=m, v3=v3, onehot=onehot, gam=gam,
                    seq=seq).items()},
    "cases": {k: encode(v) for k, v in cases.items()},
}
with open("numpy_functions.json", "w") as f:
    json.dump(out, f, indent=1)
