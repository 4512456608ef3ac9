/* W9: the RK4 optimal-control cost of Examples/OptimalControl and its gradient, by hand.
 *
 * The unicycle x' = (v cos th, v sin th, w, a) with state (x, y, th, v) and controls
 * u_t = (a_t, w_t), integrated by RK4 over n intervals of length h from x0:
 *
 *   J(u) = 1/2 h sum_t (a_t^2 + w_t^2) + 1/2 rho |x_n - target|^2.
 *
 * The gradient is the adjoint method: a backward sweep carries lambda = dJ/dx_t back
 * through each step's four stages, the transposed Jacobians of f written out. */
#include <math.h>

/* s + c k */
static void w9_along(const double *s, const double *k, double c, double *out) {
  for (int i = 0; i < 4; i++) out[i] = s[i] + c * k[i];
}

/* Adds (df/ds)^T g to lx and returns it in c, for the stage whose speed, cos th and sin th
 * are st[0..2]; (df/du)^T g goes to da, dw. */
static void w9_pullback(const double *st, const double *g, double *c, double *lx, double *da,
                        double *dw) {
  c[0] = 0;
  c[1] = 0;
  c[2] = st[0] * (g[1] * st[1] - g[0] * st[2]);
  c[3] = g[0] * st[1] + g[1] * st[2];
  for (int i = 0; i < 4; i++) lx[i] += c[i];
  *da += g[3];
  *dw += g[2];
}

/* The right-hand side at s, keeping what the pullback needs (v, cos th, sin th) in st. */
static void w9_f_kept(const double *s, double a, double w, double *k, double *st) {
  st[0] = s[3];
  st[1] = cos(s[2]);
  st[2] = sin(s[2]);
  k[0] = s[3] * st[1];
  k[1] = s[3] * st[2];
  k[2] = w;
  k[3] = a;
}

/* J(u) and its gradient in grad. `tape` holds 12 n + 4 doubles: the forward sweep keeps
 * each stage's (v, cos th, sin th), the backward sweep reads them in reverse, so no
 * trigonometric function is evaluated twice. */
double ref_w9(const double *u, int n, double h, double rho, const double *x0,
              const double *target, double *grad, double *tape) {
  double x[4], effort = 0;
  for (int i = 0; i < 4; i++) x[i] = x0[i];
  for (int t = 0; t < n; t++) {
    double *st = tape + 12 * t;
    double a = u[2 * t], w = u[2 * t + 1], k1[4], k2[4], k3[4], k4[4], s[4];
    effort += a * a + w * w;
    w9_f_kept(x, a, w, k1, st);
    w9_along(x, k1, h / 2, s);
    w9_f_kept(s, a, w, k2, st + 3);
    w9_along(x, k2, h / 2, s);
    w9_f_kept(s, a, w, k3, st + 6);
    w9_along(x, k3, h, s);
    w9_f_kept(s, a, w, k4, st + 9);
    for (int i = 0; i < 4; i++) x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  double lambda[4], miss = 0;
  for (int i = 0; i < 4; i++) {
    double d = x[i] - target[i];
    miss += d * d;
    lambda[i] = rho * d;
  }
  for (int t = n - 1; t >= 0; t--) {
    const double *st = tape + 12 * t;
    /* Cotangents of the stages k1..k4 from x_{t+1} = x + h/6 (k1 + 2 k2 + 2 k3 + k4). */
    double g1[4], g2[4], g3[4], g4[4], lx[4], c[4], da = 0, dw = 0;
    for (int i = 0; i < 4; i++) {
      g1[i] = g4[i] = h / 6 * lambda[i];
      g2[i] = g3[i] = h / 3 * lambda[i];
      lx[i] = lambda[i];
    }
    w9_pullback(st + 9, g4, c, lx, &da, &dw); /* k4 = f(x + h k3) */
    for (int i = 0; i < 4; i++) g3[i] += h * c[i];
    w9_pullback(st + 6, g3, c, lx, &da, &dw); /* k3 = f(x + h/2 k2) */
    for (int i = 0; i < 4; i++) g2[i] += h / 2 * c[i];
    w9_pullback(st + 3, g2, c, lx, &da, &dw); /* k2 = f(x + h/2 k1) */
    for (int i = 0; i < 4; i++) g1[i] += h / 2 * c[i];
    w9_pullback(st, g1, c, lx, &da, &dw); /* k1 = f(x) */
    grad[2 * t] = h * u[2 * t] + da;
    grad[2 * t + 1] = h * u[2 * t + 1] + dw;
    for (int i = 0; i < 4; i++) lambda[i] = lx[i];
  }
  return 0.5 * h * effort + 0.5 * rho * miss;
}
