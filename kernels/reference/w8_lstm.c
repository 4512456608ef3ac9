/* W8 by hand: the diagonal LSTM language-model loss of GradBench's lstm eval and its
 * gradient, in f64 (../shared/gradbench/README.md writes the definition out). l layers,
 * b bits per character, c characters; main[2l][4b] (per layer a weight row and a bias
 * row, each four blocks of b: forget, input gate, output gate, change), extra[3][b]
 * (in_weight, out_weight, out_bias), state[2l][b] (per layer h then c), seq[c][b].
 *
 * Forward, for t = 0 ... c - 2, with v = seq[t] * in_weight and for each layer L:
 *   f = s(v Wf + Bf), i = s(h Wi + Bi), o = s(v Wo + Bo), g = tanh(h Wg + Bg),
 *   c <- c f + i g,  h <- o tanh(c),  v <- h;
 * then y = v * out_weight + out_bias, yhat_j = y_j - ln(2 + sum_i exp(y_i)), and the loss is
 * -sum_t sum_j seq[t+1]_j yhat_j / ((c - 1) b). The forward pass keeps every step's gate
 * values; the backward pass runs the steps in reverse, carrying each layer's dL/dh and dL/dc
 * to the step before:
 *   dy_j = scale (n_j - (sum_i n_i) p_j),  p_j = exp(y_j) / (2 + sum_i exp(y_i)),
 *   dh' = dh + dv,  dc' = dc + dh' o (1 - tanh(c)^2),  and through the gates
 *   zf = dc' c_prev f (1 - f), zi = dc' g i (1 - i), zo = dh' tanh(c) o (1 - o),
 *   zg = dc' i (1 - g^2); dv (to the layer below) = zf Wf + zo Wo, dh (to step t - 1) =
 *   zi Wi + zg Wg, dc (to step t - 1) = dc' f.
 *
 * `grad` receives 8 l b + 3 b numbers: dL/dmain row after row, then dL/dextra (the eval's
 * jacobian); `work` holds ref_w8_work_size(l, b, c) doubles. Returns the loss. */

#include <math.h>

/* Per step and layer, the kept values: v (the layer's input), h and c before the step,
 * f, i, o, g, tanh(c) after it. */
enum { KEPT = 8 };

long ref_w8_work_size(int l, int b, int c) {
  return (long)(c - 1) * l * KEPT * b + (long)(c - 1) * 2 * b + 4L * l * b + 2L * b;
}

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

double ref_w8_lstm(int l, int b, int c, const double *main, const double *extra,
                   const double *state, const double *seq, double *grad, double *work) {
  const int steps = c - 1;
  double *kept = work;                              /* [steps][l][KEPT][b] */
  double *top = kept + (long)steps * l * KEPT * b;  /* [steps][b]: the last layer's h */
  double *prob = top + (long)steps * b;             /* [steps][b]: p_j */
  double *h = prob + (long)steps * b;               /* [l][b] */
  double *cs = h + (long)l * b;                     /* [l][b] */
  double *dh = cs + (long)l * b;                    /* [l][b] */
  double *dc = dh + (long)l * b;                    /* [l][b] */
  double *dv = dc + (long)l * b;                    /* [b] */
  double *dy = dv + b;                              /* [b] */
  const double *in_w = extra, *out_w = extra + b, *out_b = extra + 2 * b;
  const double scale = -1.0 / ((double)steps * b);

  for (int L = 0; L < l; L++) {
    for (int j = 0; j < b; j++) {
      h[L * b + j] = state[(2 * L) * b + j];
      cs[L * b + j] = state[(2 * L + 1) * b + j];
    }
  }
  double total = 0.0;
  for (int t = 0; t < steps; t++) {
    const double *x = seq + (long)t * b, *next = seq + (long)(t + 1) * b;
    for (int L = 0; L < l; L++) {
      const double *W = main + (long)(2 * L) * 4 * b, *B = W + 4 * b;
      double *k = kept + ((long)t * l + L) * KEPT * b;
      for (int j = 0; j < b; j++) {
        /* the layer's input: seq[t] * in_weight, or the layer below's new h */
        double vj = L == 0 ? x[j] * in_w[j] : h[(L - 1) * b + j];
        double hp = h[L * b + j], cp = cs[L * b + j];
        double f = sigmoid(vj * W[j] + B[j]);
        double i = sigmoid(hp * W[b + j] + B[b + j]);
        double o = sigmoid(vj * W[2 * b + j] + B[2 * b + j]);
        double g = tanh(hp * W[3 * b + j] + B[3 * b + j]);
        double cn = cp * f + i * g, tc = tanh(cn);
        k[j] = vj;
        k[b + j] = hp;
        k[2 * b + j] = cp;
        k[3 * b + j] = f;
        k[4 * b + j] = i;
        k[5 * b + j] = o;
        k[6 * b + j] = g;
        k[7 * b + j] = tc;
        cs[L * b + j] = cn;
        h[L * b + j] = o * tc;
      }
    }
    const double *v = h + (long)(l - 1) * b;
    double sum = 0.0;
    for (int j = 0; j < b; j++) {
      double y = v[j] * out_w[j] + out_b[j];
      double e = exp(y);
      top[(long)t * b + j] = v[j];
      prob[(long)t * b + j] = e;
      sum += e;
      total += next[j] * y;
    }
    double count = 0.0;
    for (int j = 0; j < b; j++) count += next[j];
    total -= count * log(2.0 + sum);
    for (int j = 0; j < b; j++) prob[(long)t * b + j] /= 2.0 + sum;
  }

  double *gmain = grad, *gextra = grad + 8L * l * b;
  for (long k = 0; k < 8L * l * b + 3L * b; k++) grad[k] = 0.0;
  for (long k = 0; k < 2L * l * b; k++) dh[k] = 0.0; /* dh and dc */
  for (int t = steps - 1; t >= 0; t--) {
    const double *x = seq + (long)t * b, *next = seq + (long)(t + 1) * b;
    double count = 0.0;
    for (int j = 0; j < b; j++) count += next[j];
    for (int j = 0; j < b; j++) {
      dy[j] = scale * (next[j] - count * prob[(long)t * b + j]);
      gextra[b + j] += dy[j] * top[(long)t * b + j];
      gextra[2 * b + j] += dy[j];
      dv[j] = dy[j] * out_w[j];
    }
    for (int L = l - 1; L >= 0; L--) {
      const double *W = main + (long)(2 * L) * 4 * b;
      double *gW = gmain + (long)(2 * L) * 4 * b, *gB = gW + 4 * b;
      const double *k = kept + ((long)t * l + L) * KEPT * b;
      for (int j = 0; j < b; j++) {
        double vj = k[j], hp = k[b + j], cp = k[2 * b + j], f = k[3 * b + j];
        double i = k[4 * b + j], o = k[5 * b + j], g = k[6 * b + j], tc = k[7 * b + j];
        double dhn = dh[L * b + j] + dv[j];
        double dcn = dc[L * b + j] + dhn * o * (1.0 - tc * tc);
        double zf = dcn * cp * f * (1.0 - f);
        double zi = dcn * g * i * (1.0 - i);
        double zo = dhn * tc * o * (1.0 - o);
        double zg = dcn * i * (1.0 - g * g);
        gW[j] += zf * vj;
        gB[j] += zf;
        gW[b + j] += zi * hp;
        gB[b + j] += zi;
        gW[2 * b + j] += zo * vj;
        gB[2 * b + j] += zo;
        gW[3 * b + j] += zg * hp;
        gB[3 * b + j] += zg;
        dv[j] = zf * W[j] + zo * W[2 * b + j];
        dh[L * b + j] = zi * W[b + j] + zg * W[3 * b + j];
        dc[L * b + j] = dcn * f;
      }
    }
    for (int j = 0; j < b; j++) gextra[j] += dv[j] * x[j];
  }
  return scale * total;
}
