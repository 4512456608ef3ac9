"""Writes indexing_numpy.json: graph programs with integers and indexing, their inputs, and
the values NumPy computes for their outputs (gradients written out by hand in NumPy:
take's gradient is np.add.at, cross_entropy's is (softmax - onehot) / batch).

Run from this folder: python3 make_indexing_fixtures.py
"""
import json
import numpy as np

rng = np.random.default_rng(7)


def tensor(a):
    a = np.asarray(a)
    kind = "i64" if a.dtype.kind in "iu" else "f64"
    return {"dtype": kind, "shape": list(a.shape), "data": a.ravel().tolist()}


cases = {}

# take along axis 0 with repeated and negative indices, and its gradient.
x = rng.standard_normal((5, 3))
idx = np.array([[0, -1, 2], [2, 2, -5]])
w = rng.standard_normal((2, 3, 3))
g = np.zeros_like(x)
np.add.at(g, idx, w)
cases["take_axis0"] = {
    "source": "input x: f64[5, 3]\ninput idx: i64[2, 3]\ninput w: f64[2, 3, 3]\n"
    "y = take(x, idx)\nl = sum(y * w)\ng = grad(l, x)\noutput y, g",
    "inputs": {"x": tensor(x), "idx": tensor(idx), "w": tensor(w)},
    "outputs": {"y": tensor(np.take(x, idx, axis=0)), "g": tensor(g)},
}

# take along a middle axis, written as a negative axis.
x = rng.standard_normal((2, 4, 3))
idx = np.array([3, -4, 1, 1, -1])
y = np.take(x, idx, axis=1)
wy = rng.standard_normal(y.shape)
g = np.zeros_like(x)
np.add.at(g, (slice(None), idx, slice(None)), wy)
cases["take_axis_minus2"] = {
    "source": "input x: f64[2, 4, 3]\ninput idx: i64[5]\ninput w: f64[2, 5, 3]\n"
    "y = take(x, idx, -2)\nl = sum(y * w)\ng = grad(l, x)\noutput y, g",
    "inputs": {"x": tensor(x), "idx": tensor(idx), "w": tensor(wy)},
    "outputs": {"y": tensor(y), "g": tensor(g)},
}

# one_hot, argmax (ties: the first maximum), arange with comparisons.
labels = np.array([[1, -1], [0, 3]])
x = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.25, 0.5], [-1.0, -3.0, -1.0, -0.5]])
T = 4
mask = (np.arange(T) <= np.arange(T).reshape(T, 1)).astype(np.float64)
cases["one_hot_argmax_arange"] = {
    "source": "input labels: i64[2, 2]\ninput x: f64[3, 4]\n"
    "h = one_hot(labels, 4)\nk = argmax(x, 1)\nk0 = argmax(x, 0)\n"
    "m = f64(arange(4) <= reshape(arange(4), [4, 1]))\n"
    "n = sum(arange(6) * 3 - 1)\noutput h, k, k0, m, n",
    "inputs": {"labels": tensor(labels), "x": tensor(x)},
    "outputs": {
        "h": tensor(np.eye(4)[labels % 4]),
        "k": tensor(np.argmax(x, axis=1)),
        "k0": tensor(np.argmax(x, axis=0)),
        "m": tensor(mask),
        "n": tensor(np.sum(np.arange(6) * 3 - 1)),
    },
}

# cross_entropy with integer labels, and its gradient.
logits = rng.standard_normal((4, 5))
labels = np.array([4, 0, -1, 2])
p = np.exp(logits - logits.max(-1, keepdims=True))
p /= p.sum(-1, keepdims=True)
onehot = np.eye(5)[labels % 5]
loss = np.mean(-np.sum(onehot * np.log(p), -1))
cases["cross_entropy_labels"] = {
    "source": "input logits: f64[4, 5]\ninput labels: i64[4]\n"
    "l = cross_entropy(logits, labels)\ng = grad(l, logits)\noutput l, g",
    "inputs": {"logits": tensor(logits), "labels": tensor(labels)},
    "outputs": {"l": tensor(loss), "g": tensor((p - onehot) / 4)},
}

with open("indexing_numpy.json", "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
