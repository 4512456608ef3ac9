"""Writes conv_pool.json: conv2d, max_pool2d and avg_pool2d by their definitions (direct
loops in NumPy, PyTorch's conventions), with the gradients of L = sum(result * r) for a fixed
random r: dL/dx and dL/dw by the same loops run backwards (max pooling sends each window's
gradient to its first maximal element in row-major order).

Run: python3 make_conv_fixtures.py
"""
import json
import numpy as np

rng = np.random.default_rng(5)


def conv(x, w, s, p, d):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    patch = xp[:, :, i * s[0] + a * d[0], j * s[1] + b * d[1]]  # [n, c]
                    y[:, :, i, j] += patch @ w[:, :, a, b].T
    return y


def conv_grads(x, w, s, p, d, r):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    oh, ow = r.shape[2], r.shape[3]
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    hi, wi = i * s[0] + a * d[0], j * s[1] + b * d[1]
                    gw[:, :, a, b] += r[:, :, i, j].T @ xp[:, :, hi, wi]
                    gxp[:, :, hi, wi] += r[:, :, i, j] @ w[:, :, a, b]
    return gxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd], gw


def pool(x, k, s, kind, r=None):
    h, w = x.shape[-2:]
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y = np.zeros(x.shape[:-2] + (oh, ow))
    gx = np.zeros_like(x)
    flat = x.reshape(-1, h, w)
    yf = y.reshape(-1, oh, ow)
    gf = gx.reshape(-1, h, w)
    rf = (np.zeros(y.shape) if r is None else r).reshape(-1, oh, ow)
    for m in range(flat.shape[0]):
        for i in range(oh):
            for j in range(ow):
                win = flat[m, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
                if kind == "max":
                    yf[m, i, j] = win.max()
                    first = np.argmax(win)  # the first maximal element, row-major
                    a, b = divmod(first, k[1])
                    gf[m, i * s[0] + a, j * s[1] + b] += rf[m, i, j]
                else:
                    yf[m, i, j] = win.mean()
                    gf[m, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]] += rf[m, i, j] / win.size
    return y, gx


def encode(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


cases = []
for name, xs, ws, s, p, d in [
    ("plain", (2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (0, 0), (1, 1)),
    ("strided_padded", (2, 2, 7, 7), (3, 2, 3, 3), (2, 2), (1, 1), (1, 1)),
    ("mixed", (1, 3, 8, 7), (2, 3, 2, 3), (2, 1), (1, 0), (1, 2)),
    ("pointwise", (2, 4, 3, 3), (5, 4, 1, 1), (1, 1), (0, 0), (1, 1)),
]:
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    y = conv(x, w, s, p, d)
    r = rng.normal(size=y.shape)
    gx, gw = conv_grads(x, w, s, p, d, r)
    cases.append({"kind": "conv2d", "name": name, "stride": list(s), "padding": list(p),
                  "dilation": list(d), "x": encode(x), "w": encode(w), "r": encode(r),
                  "y": encode(y), "gx": encode(gx), "gw": encode(gw)})
for name, kind, xs, k, s in [
    ("max_2x2", "max", (2, 3, 6, 5), (2, 2), (2, 2)),
    ("max_overlapping", "max", (2, 7, 6), (3, 3), (1, 2)),
    ("avg_2x1", "avg", (3, 5, 4), (2, 1), (1, 1)),
]:
    x = rng.normal(size=xs)
    if name == "max_overlapping":
        x = np.round(x)  # ties: whole numbers repeat in a window
    y, _ = pool(x, k, s, kind)
    r = rng.normal(size=y.shape)
    _, gx = pool(x, k, s, kind, r)
    cases.append({"kind": kind + "_pool2d", "name": name, "window": list(k), "stride": list(s),
                  "x": encode(x), "r": encode(r), "y": encode(y), "gx": encode(gx)})
with open("conv_pool.json", "w") as f:
    json.dump(cases, f, indent=1)
