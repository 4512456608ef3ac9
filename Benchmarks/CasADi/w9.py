"""Writes CasADi's generated C for W9 (the gradient of the RK4 optimal-control cost of
Examples/OptimalControl), for the workloads benchmark to build and time beside graphc.

    python3 w9.py OUT_DIR HORIZON DURATION RHO x0,y0,th0,v0 x,y,th,v

Writes OUT_DIR/w9_casadi.c with two functions of the controls u (2 x HORIZON, column-major,
the same layout as graphc's f64[HORIZON, 2]):
  w9_mx: the horizon as CasADi's mapaccum over one RK4 step (a loop of function calls),
  w9_sx: the same function expanded to scalar operations (straight-line code),
each returning (J, dJ/du), and a wrapper `double casadi_w9_<kind>(const double *u, double *g)`
per function. Nothing of CasADi is committed: this runs at benchmark time.
"""
import os
import sys

import casadi as ca

out, n, duration, rho = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
x0 = [float(v) for v in sys.argv[5].split(",")]
target = [float(v) for v in sys.argv[6].split(",")]
h = duration / n

x = ca.SX.sym("x", 4)
u = ca.SX.sym("u", 2)


def f(s, c):
    return ca.vertcat(s[3] * ca.cos(s[2]), s[3] * ca.sin(s[2]), c[1], c[0])


k1 = f(x, u)
k2 = f(x + h / 2 * k1, u)
k3 = f(x + h / 2 * k2, u)
k4 = f(x + h * k3, u)
step = ca.Function("rk4", [x, u], [x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)])

U = ca.MX.sym("U", 2, n)
states = step.mapaccum("horizon", n)(ca.DM(x0), U)
miss = states[:, -1] - ca.DM(target)
J = 0.5 * h * ca.sumsqr(U) + 0.5 * rho * ca.sumsqr(miss)
mx = ca.Function("w9_mx", [U], [J, ca.gradient(J, U)])
sx = mx.expand()
sx = ca.Function("w9_sx", sx.sx_in(), sx.call(sx.sx_in()))

gen = ca.CodeGenerator("w9_casadi.c", {"with_header": False, "casadi_real": "double"})
gen.add(mx)
gen.add(sx)
gen.generate(out + os.sep)

wrapper = ""
for kind, fun in (("mx", mx), ("sx", sx)):
    sizes = (fun.sz_arg(), fun.sz_res(), fun.sz_iw(), fun.sz_w())
    wrapper += f"""
double casadi_w9_{kind}(const double *u, double *g) {{
  static const casadi_real *arg[{max(sizes[0], 1)}];
  static casadi_real *res[{max(sizes[1], 1)}];
  static casadi_int iw[{max(sizes[2], 1)}];
  static casadi_real w[{max(sizes[3], 1)}];
  double j;
  arg[0] = u;
  res[0] = &j;
  res[1] = g;
  w9_{kind}(arg, res, iw, w, 0);
  return j;
}}
"""
with open(os.path.join(out, "w9_casadi.c"), "a") as file:
    file.write(wrapper)
