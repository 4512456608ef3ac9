"""Writes matmul_stacks.json: NumPy's matmul on stacks of matrices (broadcast leading axes,
vectors on either side) and the gradient of sum(sin(a @ b)) by NumPy's own formulas.

Run: python3 make_matmul_stacks.py
"""
import json
import numpy as np

rng = np.random.default_rng(11)
inputs = {
    "a3": rng.normal(size=(2, 3, 4)), "b3": rng.normal(size=(2, 4, 5)),
    "c3": rng.normal(size=(3, 2, 4)), "d4": rng.normal(size=(2, 1, 4, 5)),
    "m": rng.normal(size=(4, 5)), "n": rng.normal(size=(3, 4)), "v": rng.normal(size=4),
}
pairs = {
    "stack_stack": ("a3", "b3"), "broadcast_batch": ("c3", "d4"), "stack_matrix": ("a3", "m"),
    "matrix_stack": ("n", "b3"), "vector_stack": ("v", "b3"), "stack_vector": ("a3", "v"),
}


def unbroadcast(g, shape):
    """Sums g over the axes NumPy broadcast to reach g's shape from `shape`."""
    while g.ndim > len(shape):
        g = g.sum(0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis, keepdims=True)
    return g


def gradients(x, y):
    """d/dx and d/dy of sum(sin(x @ y)), from the matrix-product rule with broadcasting."""
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    g = np.cos(x2 @ y2)
    gx = g @ np.swapaxes(y2, -1, -2)
    gy = np.swapaxes(x2, -1, -2) @ g
    gx = unbroadcast(gx, x2.shape)
    gy = unbroadcast(gy, y2.shape)
    return gx.reshape(x.shape), gy.reshape(y.shape)


def encode(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


cases = {}
for name, (p, q) in pairs.items():
    x, y = inputs[p], inputs[q]
    gx, gy = gradients(x, y)
    cases[name] = {"left": p, "right": q, "product": encode(x @ y),
                   "dleft": encode(gx), "dright": encode(gy)}
with open("matmul_stacks.json", "w") as f:
    json.dump({"inputs": {k: encode(v) for k, v in inputs.items()}, "cases": cases}, f, indent=1)
