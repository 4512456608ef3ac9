#!/usr/bin/env python3
"""Writes expected.json: small inputs of every GradBench module graphc implements and their
outputs, computed here independently of graphc, from the definitions in
../shared/gradbench/README.md: closed forms where they are short (lse's softmax, llsq's
normal equations, kmeans' cluster means, det's det(A) inverse(A)^T, hello), central finite differences otherwise (gmm's,
ode's, ba's, lstm's and ht's derivatives; error about 1e-9, so the tests compare those with a tolerance of 1e-6).
particle and saddle run the eval's gradient descent in plain Python, with their derivatives
written out by hand: saddle's in closed form, particle's force as the formula for the
gradient of 1/|x - c| and its outer derivative in forward mode with dual numbers.

    python3 GradBench/Fixtures/make_fixtures.py    # needs numpy
"""

import json
import math
import os

import numpy as np

rng = np.random.default_rng(12)


def central_gradient(f, x, h=1e-5):
    """d f / d x by central differences, x a float array of any shape."""
    g = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        g[index] = (f(up) - f(down)) / (2 * h)
    return g


def central_gradient_rows(f, x, h=1e-6):
    """The Jacobian of the vector function f at x by central differences, one row per output."""
    columns = []
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        step = h * max(1.0, abs(x[i]))
        up[i] += step
        down[i] -= step
        columns.append((f(up) - f(down)) / (2 * step))
    return np.array(columns).T


def lse(x):
    a = x.max()
    return a + math.log(np.exp(x - a).sum())


def llsq_primal(x, n):
    t = -1 + 2 * np.arange(n) / (n - 1)
    T = t[:, None] ** np.arange(len(x))[None, :]
    r = np.sign(t) - T @ x
    return 0.5 * (r @ r), -(T.T @ r)


def gmm_objective(x, alpha, mu, q, l, m, gamma):
    n, d = x.shape
    k = len(alpha)
    total = -n * d / 2 * math.log(2 * math.pi) - n * lse(alpha)
    Qs = []
    for c in range(k):
        Q = np.diag(np.exp(q[c]))
        p = 0
        for col in range(d):
            for row in range(col + 1, d):
                Q[row, col] = l[c, p]
                p += 1
        Qs.append(Q)
    for i in range(n):
        beta = [alpha[c] + q[c].sum() - 0.5 * np.sum((Qs[c] @ (x[i] - mu[c])) ** 2) for c in range(k)]
        total += lse(np.array(beta))
    w = d + m + 1
    log_gamma_d = d * (d - 1) / 4 * math.log(math.pi) + sum(
        math.lgamma(w / 2 + (1 - j) / 2) for j in range(1, d + 1)
    )
    total += k * (w * d * (math.log(gamma) - 0.5 * math.log(2)) - log_gamma_d)
    for c in range(k):
        total -= gamma**2 / 2 * (np.sum(np.exp(q[c]) ** 2) + np.sum(l[c] ** 2)) - m * q[c].sum()
    return total


def ode_primal(x, s):
    n = len(x)
    f = lambda y: x * np.concatenate(([1.0], y[:-1]))
    y = np.zeros(n)
    h = 2 / s
    for _ in range(s):
        k1 = f(y)
        k2 = f(y + h / 2 * k1)
        k3 = f(y + h / 2 * k2)
        k4 = f(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_objective(main, extra, state, sequence):
    """The diagonal LSTM loss, step by step and layer by layer as the definition writes it."""
    layers, b, c = len(main) // 2, extra.shape[1], len(sequence)
    h = [state[2 * L].copy() for L in range(layers)]
    cell = [state[2 * L + 1].copy() for L in range(layers)]
    total = 0.0
    for t in range(c - 1):
        v = sequence[t] * extra[0]
        for L in range(layers):
            W, B = main[2 * L], main[2 * L + 1]
            forget = sigmoid(v * W[0:b] + B[0:b])
            input_gate = sigmoid(h[L] * W[b : 2 * b] + B[b : 2 * b])
            output_gate = sigmoid(v * W[2 * b : 3 * b] + B[2 * b : 3 * b])
            change = np.tanh(h[L] * W[3 * b :] + B[3 * b :])
            cell[L] = cell[L] * forget + input_gate * change
            h[L] = output_gate * np.tanh(cell[L])
            v = h[L]
        y = v * extra[1] + extra[2]
        total += np.sum(sequence[t + 1] * (y - math.log(2 + np.exp(y).sum())))
    return -total / ((c - 1) * b)


def kmeans(points, centroids):
    distances = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    nearest = distances.argmin(1)
    cost = distances.min(1).sum()
    means = np.array([points[nearest == j].mean(0) for j in range(len(centroids))])
    return cost, centroids - means


def ba_errors(cam, X, w, feat):
    """One observation's two reprojection errors, as ADBench's ba writes them."""
    rot, Xo = cam[0:3], X - cam[3:6]
    sqtheta = rot @ rot
    if sqtheta != 0:
        theta = math.sqrt(sqtheta)
        k = rot / theta
        Xcam = Xo * math.cos(theta) + np.cross(k, Xo) * math.sin(theta) + k * (k @ Xo) * (1 - math.cos(theta))
    else:
        Xcam = Xo + np.cross(rot, Xo)
    proj = Xcam[0:2] / Xcam[2]
    rsq = proj @ proj
    proj = proj * (1 + cam[9] * rsq + cam[10] * rsq * rsq)
    return w * (proj * cam[6] + cam[7:9] - feat)


class Dual:
    """a + b e with e^2 = 0: a value and its derivative with respect to one variable."""

    def __init__(self, a, b=0.0):
        self.a, self.b = a, b

    def __add__(self, other):
        other = dual(other)
        return Dual(self.a + other.a, self.b + other.b)

    __radd__ = __add__

    def __sub__(self, other):
        other = dual(other)
        return Dual(self.a - other.a, self.b - other.b)

    def __rsub__(self, other):
        return dual(other) - self

    def __mul__(self, other):
        other = dual(other)
        return Dual(self.a * other.a, self.a * other.b + self.b * other.a)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = dual(other)
        return Dual(self.a / other.a, (self.b * other.a - self.a * other.b) / (other.a * other.a))

    def __neg__(self):
        return Dual(-self.a, -self.b)


def dual(value):
    return value if isinstance(value, Dual) else Dual(float(value))


def dual_sqrt(value):
    root = math.sqrt(value.a)
    return Dual(root, value.b / (2 * root))


def argmin(f, g, x):
    """The evals' gradient descent from x (a list): eta starts at 1e-5, doubles after 10
    accepted steps, halves after a rejected one; stops when |g| <= 1e-5 or the step <= 1e-5."""
    fx, gx, eta, accepted = f(x), g(x), 1e-5, 0
    while True:
        if math.sqrt(sum(v * v for v in gx)) <= 1e-5:
            return x
        if accepted == 10:
            eta, accepted = 2 * eta, 0
            continue
        xp = [a - eta * b for a, b in zip(x, gx)]
        if math.sqrt(sum((a - b) ** 2 for a, b in zip(x, xp))) <= 1e-5:
            return x
        fp = f(xp)
        if fp < fx:
            x, fx, gx, accepted = xp, fp, g(xp), accepted + 1
        else:
            eta, accepted = eta / 2, 0


def particle_miss(w):
    """The squared miss distance for the control w (a Dual): Euler steps of 0.1 with the
    acceleration -grad p = sum over the charges c of (x - c) / |x - c|^3, until the next
    position is not above the axis, then the line on from the last one to the axis."""
    charges = [(10.0, 10 - w), (10.0, 0.0)]
    x0, x1, v0, v1 = Dual(0.0), Dual(8.0), Dual(0.75), Dual(0.0)
    while True:
        a0, a1 = Dual(0.0), Dual(0.0)
        for c0, c1 in charges:
            d0, d1 = x0 - c0, x1 - c1
            r = dual_sqrt(d0 * d0 + d1 * d1)
            a0, a1 = a0 + d0 / (r * r * r), a1 + d1 / (r * r * r)
        y0, y1 = x0 + 0.1 * v0, x1 + 0.1 * v1
        if not y1.a > 0:
            break
        x0, x1, v0, v1 = y0, y1, v0 + 0.1 * a0, v1 + 0.1 * a1
    m = x0 - x1 / v1 * v0
    return m * m


def particle(w0):
    f = lambda w: particle_miss(Dual(w[0])).a
    g = lambda w: [particle_miss(Dual(w[0], 1.0)).b]
    return argmin(f, g, [w0])[0]


def saddle(start):
    """argmin over x of max over y of f, then argmax over y at that x, both from start;
    max over y does not depend on x, so the outer gradient is 2 x."""
    f = lambda x, y: (x[0] ** 2 + x[1] ** 2) - (y[0] ** 2 + y[1] ** 2)
    maximiser = lambda x: argmin(lambda y: -f(x, y), lambda y: [2 * y[0], 2 * y[1]], start)
    r1 = argmin(lambda x: f(x, maximiser(x)), lambda x: [2 * x[0], 2 * x[1]], start)
    return r1 + maximiser(r1)

def euler_rotation(tx, tz, ty):
    """Rz(tz) Ry(ty) Rx(tx), each the rotation about one axis."""
    cx, sx, cy, sy, cz, sz = math.cos(tx), math.sin(tx), math.cos(ty), math.sin(ty), math.cos(tz), math.sin(tz)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def angle_axis_rotation(g):
    """Rodrigues: cos t I + (1 - cos t) k k^T + sin t [k]x with t = |g|, k = g / t; I for t < 1e-4."""
    t = math.sqrt(g @ g)
    if t < 1e-4:
        return np.eye(3)
    k = g / t
    cross = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return math.cos(t) * np.eye(3) + (1 - math.cos(t)) * np.outer(k, k) + math.sin(t) * cross


def ht_errors(theta, us, model, correspondences, points):
    """Observed points minus posed model points, flattened point by point (ADBench's hand model)."""
    b = len(model["parents"])
    # Bone i's Euler angles (x, z, y) are column i + 3 of the pose parameters; theta fills
    # fingers f = 0..4: column 5 + 4f gets (theta[6 + 4f], theta[7 + 4f]), columns 6 + 4f and
    # 7 + 4f get theta[8 + 4f] and theta[9 + 4f] as their x angle.
    pose = np.zeros((b + 3, 3))
    for f in range(5):
        pose[5 + 4 * f, 0:2] = theta[6 + 4 * f : 8 + 4 * f]
        pose[6 + 4 * f, 0] = theta[8 + 4 * f]
        pose[7 + 4 * f, 0] = theta[9 + 4 * f]
    absolutes = []
    for i in range(b):
        turn = np.eye(4)
        tx, tz, ty = pose[i + 3]
        turn[0:3, 0:3] = euler_rotation(tx, tz, ty)
        relative = np.array(model["base_relatives"][i]) @ turn
        parent = model["parents"][i]
        absolutes.append(relative if parent == -1 else absolutes[parent] @ relative)
    base = np.array(model["base_positions"])
    weights = np.array(model["weights"])
    vertices = np.zeros((len(base), 3))
    for i in range(b):
        transform = absolutes[i] @ np.array(model["inverse_base_absolutes"][i])
        vertices += weights[:, i : i + 1] * (base @ transform.T)[:, 0:3]
    if model["is_mirrored"]:
        vertices[:, 0] *= -1
    vertices = vertices @ angle_axis_rotation(theta[0:3]).T + theta[3:6]
    if len(us) == 0:
        hand = vertices[correspondences]
    else:
        corners = np.array(model["triangles"])[correspondences]
        u = np.array(us)
        hand = u[:, 0:1] * vertices[corners[:, 0]] + u[:, 1:2] * vertices[corners[:, 1]]
        hand += (1 - u[:, 0:1] - u[:, 1:2]) * vertices[corners[:, 2]]
    return (np.array(points) - hand).ravel()


def ht_model(vertices, triangles, mirrored):
    """A random hand model with ADBench's 22 bones: the wrist, five fingers of four bones each
    (each finger's first bone on the wrist), the forearm; each vertex on one to four bones."""
    parents = [-1] + [0 if k % 4 == 0 else 4 * (k // 4) + k % 4 for k in range(20)] + [0]

    def rigid():
        transform = np.eye(4)
        transform[0:3, 0:3] = euler_rotation(*rng.uniform(-1, 1, 3))
        transform[0:3, 3] = rng.uniform(-0.5, 0.5, 3)
        return transform.tolist()

    weights = np.zeros((vertices, 22))
    for i in range(vertices):
        bones = rng.choice(22, rng.integers(1, 5), replace=False)
        weights[i, bones] = rng.dirichlet(np.ones(len(bones)))
    return {
        "bone_count": 22, "bone_names": [f"bone{i}" for i in range(22)], "parents": parents,
        "base_relatives": [rigid() for _ in range(22)], "inverse_base_absolutes": [rigid() for _ in range(22)],
        "base_positions": np.concatenate([rng.uniform(-1, 1, (vertices, 3)), np.ones((vertices, 1))], 1).tolist(),
        "weights": weights.tolist(), "triangles": rng.integers(0, vertices, (triangles, 3)).tolist(),
        "is_mirrored": mirrored,
    }


def case(module, function, input, output, tolerance=1e-9):
    runs = {"min_runs": 1, "min_seconds": 0}
    if isinstance(input, dict):
        input = input | runs
    return {"module": module, "function": function, "input": input, "output": output, "tolerance": tolerance}


def main():
    cases = [case("hello", "square", 3.0, 9.0), case("hello", "double", 3.0, 6.0)]

    x = rng.uniform(0, 1, 7)
    cases.append(case("lse", "primal", {"x": x.tolist()}, lse(x)))
    cases.append(case("lse", "gradient", {"x": x.tolist()}, np.exp(x - lse(x)).tolist()))

    x = rng.uniform(0, 1, 4)
    y, g = llsq_primal(x, 9)
    cases.append(case("llsq", "primal", {"x": x.tolist(), "n": 9}, y))
    cases.append(case("llsq", "gradient", {"x": x.tolist(), "n": 9}, g.tolist()))

    d, k, n, m, gamma = 3, 2, 4, 1, 1.5
    fields = {
        "x": rng.standard_normal((n, d)), "alpha": rng.standard_normal(k),
        "mu": rng.uniform(0, 1, (k, d)), "q": rng.standard_normal((k, d)) * 0.5,
        "l": rng.standard_normal((k, d * (d - 1) // 2)) * 0.5,
    }
    gmm_input = {"d": d, "k": k, "n": n, "m": m, "gamma": gamma} | {
        name: value.tolist() for name, value in fields.items()
    }

    def objective(**changed):
        values = fields | changed
        return gmm_objective(values["x"], values["alpha"], values["mu"], values["q"], values["l"], m, gamma)

    cases.append(case("gmm", "objective", gmm_input, objective()))
    jacobian = {
        name: central_gradient(lambda v, name=name: objective(**{name: v}), fields[name]).tolist()
        for name in ("alpha", "mu", "q", "l")
    }
    cases.append(case("gmm", "jacobian", gmm_input, jacobian, tolerance=1e-6))

    x = rng.uniform(0, 1, 5)
    cases.append(case("ode", "primal", {"x": x.tolist(), "s": 3}, ode_primal(x, 3).tolist()))
    gradient = central_gradient(lambda v: ode_primal(v, 3)[-1], x)
    cases.append(case("ode", "gradient", {"x": x.tolist(), "s": 3}, gradient.tolist(), tolerance=1e-6))

    points = rng.uniform(0, 1, (12, 2))
    centroids = points[-3:].copy()
    cost, direction = kmeans(points, centroids)
    kmeans_input = {"points": points.tolist(), "centroids": centroids.tolist()}
    cases.append(case("kmeans", "cost", kmeans_input, cost))
    cases.append(case("kmeans", "dir", kmeans_input, direction.tolist()))

    for ell in (4, 1):
        A = rng.standard_normal((ell, ell))
        det_input = {"A": A.ravel().tolist(), "ell": ell}
        determinant = np.linalg.det(A)
        cases.append(case("det", "primal", det_input, determinant))
        gradient = determinant * np.linalg.inv(A).T
        cases.append(case("det", "gradient", det_input, gradient.ravel().tolist()))

    cam = np.concatenate([rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), [rng.uniform(100, 500)],
                          rng.uniform(-5, 5, 2), rng.uniform(-0.1, 0.1, 2)])
    X = rng.uniform(3, 8, 3)
    w, feat = 0.8, rng.uniform(0, 100, 2)
    n, m, p = 2, 3, 5
    ba_input = {"n": n, "m": m, "p": p, "cam": cam.tolist(), "x": X.tolist(), "w": w, "feat": feat.tolist()}
    errors = ba_errors(cam, X, w, feat)
    objective = {"reproj_error": {"elements": errors.tolist(), "repeated": p},
                 "w_err": {"element": 1 - w * w, "repeated": p}}
    cases.append(case("ba", "objective", ba_input, objective))
    # Observation 0 sees camera 0 and point 0: its rows' 15 entries each, by central
    # differences, in the order camera, point, weight; the last entry is the last weight
    # error's derivative -2 w. Rows: 15 entries a row for 2p rows, then 1 a row.
    parameters = np.concatenate([cam, X, [w]])
    block = central_gradient_rows(lambda v: ba_errors(v[0:11], v[11:14], v[14], feat), parameters)
    vals = block[0].tolist() + block[1].tolist() + [-2 * w]
    columns = list(range(11)) + [11 * n, 11 * n + 1, 11 * n + 2, 11 * n + 3 * m]
    cols = columns + columns + [11 * n + 3 * m + p - 1]
    row_starts = [15 * i if i <= 2 * p else 30 * p + (i - 2 * p) for i in range(3 * p + 1)]
    rows = row_starts[:30] + [row_starts[-1]]
    cases.append(case("ba", "jacobian", ba_input, {"rows": rows, "cols": cols, "vals": vals}, tolerance=1e-6))

    # lstm: 2 layers, 3 bits, 5 characters; the gradient by central differences over the
    # flattened main_params and extra_params, in the eval's order.
    layers, b, c = 2, 3, 5
    main, extra = rng.uniform(0, 1, (2 * layers, 4 * b)), rng.uniform(0, 1, (3, b))
    state = rng.uniform(0, 1, (2 * layers, b))
    sequence = rng.integers(0, 2, (c, b)).astype(float)
    lstm_input = {"main_params": main.tolist(), "extra_params": extra.tolist(), "state": state.tolist(),
                  "sequence": sequence.tolist()}
    cases.append(case("lstm", "objective", lstm_input, lstm_objective(main, extra, state, sequence)))
    parameters = np.concatenate([main.ravel(), extra.ravel()])

    def loss(p):
        return lstm_objective(p[: main.size].reshape(main.shape), p[main.size :].reshape(extra.shape), state, sequence)

    cases.append(case("lstm", "jacobian", lstm_input, central_gradient(loss, parameters).tolist(), tolerance=1e-6))

    # particle and saddle: every function at the eval's input, one function at another
    # (particle at w = 1 needs 1144 Euler steps, more than the tool's first count).
    for function in ["rr", "ff", "fr", "rf"]:
        cases.append(case("particle", function, {"w": 0.0}, particle(0.0)))
        cases.append(case("saddle", function, {"start": [1.0, 1.0]}, saddle([1.0, 1.0])))
    cases.append(case("particle", "rf", {"w": 1.0}, particle(1.0)))
    cases.append(case("saddle", "fr", {"start": [3.0, -2.0]}, saddle([3.0, -2.0])))
    # ht: a small random model (9 vertices, 6 triangles), 5 points; the complicated variant
    # (points on triangles, us given) unmirrored, the simple one (points on vertices, us
    # empty) mirrored. The Jacobian by central differences: columns u0 and u1 (of each
    # point's own us, which only its own errors read), then theta's 26.
    for variant, mirrored in (("complicated", False), ("simple", True)):
        model = ht_model(9, 6, mirrored)
        n = 5
        complicated = variant == "complicated"
        correspondences = rng.integers(0, 6 if complicated else 9, n)
        points = rng.uniform(-1, 1, (n, 3))
        us = rng.uniform(0, 0.5, (n, 2)) if complicated else np.zeros((0, 2))
        theta = rng.uniform(-0.6, 0.6, 26)
        ht_input = {"theta": theta.tolist(), "us": us.tolist(), "data": {
            "model": model, "correspondences": correspondences.tolist(), "points": points.tolist()}}
        errors = ht_errors(theta, us, model, correspondences, points)
        cases.append(case("ht", "objective", ht_input, errors.tolist()))
        jacobian = central_gradient_rows(lambda p: ht_errors(p, us, model, correspondences, points), theta)
        if complicated:
            columns = [
                central_gradient_rows(
                    lambda a, k=k: ht_errors(theta, np.where(np.arange(2) == k, a[:, None], us), model,
                                             correspondences, points), us[:, k].copy()).sum(1)
                for k in (0, 1)
            ]
            jacobian = np.concatenate([np.stack(columns, 1), jacobian], 1)
        cases.append(case("ht", "jacobian", ht_input, jacobian.tolist(), tolerance=1e-6))

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


main()
