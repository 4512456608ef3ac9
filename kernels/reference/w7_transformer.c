/* W7 by hand: one training step of the character transformer of the char-transformer
 * example (decoder-only, pre-norm blocks), f32, matrix products by OpenBLAS, Adam.
 *
 * Sizes: batch B, context T, channels C, heads H (head width D = C/H), layers L, vocabulary
 * V; N = B*T rows. Parameters, in this order (the example's order):
 *   wte [V,C], wpe [T,C], then per layer ln1.gain [C], ln1.bias [C], qkv.weight [C,3C],
 *   qkv.bias [3C], proj.weight [C,C], proj.bias [C], ln2.gain [C], ln2.bias [C],
 *   fc.weight [C,4C], fc.bias [4C], fc_proj.weight [4C,C], fc_proj.bias [C],
 *   then ln_f.gain [C], ln_f.bias [C], head.weight [C,V], head.bias [V].
 *
 * Forward: x = wte[tokens] + wpe; per layer x += proj(attention(ln1(x))),
 * x += fc_proj(gelu(fc(ln2(x)))); logits = head(ln_f(x)); loss = mean over rows of
 * logsumexp(logits) - logits[target]. ln(x) = (x - mean)/sqrt(var + 1e-5)*gain + bias (biased
 * variance); gelu(x) = x*Phi(x) with the exact normal CDF Phi; attention of head h on
 * the q, k, v columns of its D channels: softmax over j <= i of q_i.k_j/sqrt(D), times v.
 * Backward by hand, in reverse; then Adam as in W5 (beta1 0.9, beta2 0.999, eps 1e-8,
 * bias-corrected), parameters and moments updated in place. Returns the loss. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LAYERS = 16 };

typedef struct { int B, T, C, H, L, V; } w7_sizes;

/* Activations kept for the backward pass, per layer, and the gradients. */
typedef struct {
  w7_sizes s;
  float *x[MAX_LAYERS + 1];                   /* residual stream entering each layer; x[L] leaves */
  float *ln1[MAX_LAYERS], *mean1[MAX_LAYERS], *rstd1[MAX_LAYERS];
  float *qkv[MAX_LAYERS], *att[MAX_LAYERS], *y[MAX_LAYERS], *xmid[MAX_LAYERS];
  float *ln2[MAX_LAYERS], *mean2[MAX_LAYERS], *rstd2[MAX_LAYERS];
  float *pre[MAX_LAYERS], *act[MAX_LAYERS];
  float *lnf, *meanf, *rstdf, *logits;
  float *dx, *dln, *dqkv, *datt, *dy, *dpre;  /* backward scratch, reused by every layer */
  float **grads;                              /* one per parameter */
} w7_work;

static float *buffer(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

static int parameter_count(int L) { return 2 + 12 * L + 4; }

static void parameter_sizes(const w7_sizes *s, size_t *n) {
  size_t C = s->C, k = 0;
  n[k++] = (size_t)s->V * C;
  n[k++] = (size_t)s->T * C;
  for (int l = 0; l < s->L; l++) {
    size_t layer[12] = {C, C, C * 3 * C, 3 * C, C * C, C, C, C, C * 4 * C, 4 * C, 4 * C * C, C};
    for (int j = 0; j < 12; j++) n[k++] = layer[j];
  }
  n[k++] = C, n[k++] = C, n[k++] = C * s->V, n[k++] = s->V;
}

static w7_work *workspace(const w7_sizes *s) {
  static w7_work *w = NULL;
  if (w && memcmp(&w->s, s, sizeof *s) == 0) return w;
  w = calloc(1, sizeof *w); /* a new size leaks the old workspace: a benchmark makes one or two */
  w->s = *s;
  size_t N = (size_t)s->B * s->T, C = s->C;
  for (int l = 0; l <= s->L; l++) w->x[l] = buffer(N * C);
  for (int l = 0; l < s->L; l++) {
    w->ln1[l] = buffer(N * C), w->mean1[l] = buffer(N), w->rstd1[l] = buffer(N);
    w->qkv[l] = buffer(N * 3 * C), w->att[l] = buffer((size_t)s->B * s->H * s->T * s->T);
    w->y[l] = buffer(N * C), w->xmid[l] = buffer(N * C);
    w->ln2[l] = buffer(N * C), w->mean2[l] = buffer(N), w->rstd2[l] = buffer(N);
    w->pre[l] = buffer(N * 4 * C), w->act[l] = buffer(N * 4 * C);
  }
  w->lnf = buffer(N * C), w->meanf = buffer(N), w->rstdf = buffer(N);
  w->logits = buffer(N * s->V);
  w->dx = buffer(N * C), w->dln = buffer(N * C), w->dqkv = buffer(N * 3 * C);
  w->datt = buffer((size_t)s->T * s->T), w->dy = buffer(N * C), w->dpre = buffer(N * 4 * C);
  int P = parameter_count(s->L);
  size_t sizes[2 + 12 * MAX_LAYERS + 4];
  parameter_sizes(s, sizes);
  w->grads = calloc(P, sizeof(float *));
  for (int k = 0; k < P; k++) w->grads[k] = buffer(sizes[k]);
  return w;
}

static void layer_norm(const float *x, const float *gain, const float *bias, float *out,
                       float *mean, float *rstd, int n, int c) {
  for (int i = 0; i < n; i++) {
    const float *r = x + (size_t)i * c;
    float m = 0, v = 0;
    for (int j = 0; j < c; j++) m += r[j];
    m /= c;
    for (int j = 0; j < c; j++) v += (r[j] - m) * (r[j] - m);
    float s = 1.0f / sqrtf(v / c + 1e-5f);
    for (int j = 0; j < c; j++) out[(size_t)i * c + j] = (r[j] - m) * s * gain[j] + bias[j];
    mean[i] = m, rstd[i] = s;
  }
}

/* dx += dln(x) . dout; dgain, dbias accumulate. With xhat = (x - mean)*rstd and
 * g = dout*gain: dx = rstd*(g - mean(g) - xhat*mean(g*xhat)). */
static void layer_norm_backward(const float *x, const float *mean, const float *rstd,
                                const float *gain, const float *dout, float *dx, float *dgain,
                                float *dbias, int n, int c) {
  memset(dgain, 0, c * sizeof(float)), memset(dbias, 0, c * sizeof(float));
  for (int i = 0; i < n; i++) {
    const float *r = x + (size_t)i * c, *d = dout + (size_t)i * c;
    float mg = 0, mgx = 0;
    for (int j = 0; j < c; j++) {
      float xhat = (r[j] - mean[i]) * rstd[i], g = d[j] * gain[j];
      mg += g, mgx += g * xhat;
      dgain[j] += d[j] * xhat, dbias[j] += d[j];
    }
    mg /= c, mgx /= c;
    for (int j = 0; j < c; j++) {
      float xhat = (r[j] - mean[i]) * rstd[i];
      dx[(size_t)i * c + j] += rstd[i] * (d[j] * gain[j] - mg - xhat * mgx);
    }
  }
}

/* out = a @ w + bias, a [n,k], w [k,m]. */
static void dense(const float *a, const float *w, const float *bias, float *out, int n, int k,
                  int m) {
  for (int i = 0; i < n; i++) memcpy(out + (size_t)i * m, bias, m * sizeof(float));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0f, a, k, w, m, 1.0f, out, m);
}

/* dw = a^T @ dout, dbias = colsum(dout), da (+)= dout @ w^T (beta 0 or 1). */
static void dense_backward(const float *a, const float *w, const float *dout, float *da,
                           float beta, float *dw, float *dbias, int n, int k, int m) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, m, n, 1.0f, a, k, dout, m, 0.0f, dw, m);
  memset(dbias, 0, m * sizeof(float));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) dbias[j] += dout[(size_t)i * m + j];
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, k, m, 1.0f, dout, m, w, m, beta, da, k);
}

static void adam(float *p, const float *g, float *m, float *v, size_t n, float lr, float c1,
                 float c2) {
  for (size_t i = 0; i < n; i++) {
    m[i] = 0.9f * m[i] + 0.1f * g[i];
    v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
    p[i] -= lr * c1 * m[i] / (sqrtf(v[i] * c2) + 1e-8f);
  }
}

float ref_w7_step(const int *size, float **p, float **m, float **v, const long long *tokens,
                  const long long *targets, float lr, int t) {
  w7_sizes s = {size[0], size[1], size[2], size[3], size[4], size[5]};
  if (s.L > MAX_LAYERS) return -1;
  w7_work *w = workspace(&s);
  float **g = w->grads;
  const int B = s.B, T = s.T, C = s.C, H = s.H, L = s.L, V = s.V, D = C / H, N = B * T;
  const int C3 = 3 * C, C4 = 4 * C;
  const float scale = 1.0f / sqrtf((float)D);

  for (int n = 0; n < N; n++)
    for (int j = 0; j < C; j++)
      w->x[0][(size_t)n * C + j] = p[0][tokens[n] * C + j] + p[1][(n % T) * C + j];
  for (int l = 0; l < L; l++) {
    float **q = p + 2 + 12 * l, *x = w->x[l];
    layer_norm(x, q[0], q[1], w->ln1[l], w->mean1[l], w->rstd1[l], N, C);
    dense(w->ln1[l], q[2], q[3], w->qkv[l], N, C, C3);
    for (int b = 0; b < B; b++)
      for (int h = 0; h < H; h++) {
        const float *qs = w->qkv[l] + (size_t)b * T * C3 + h * D;
        float *a = w->att[l] + ((size_t)b * H + h) * T * T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, D, scale, qs, C3, qs + C, C3,
                    0.0f, a, T);
        for (int i = 0; i < T; i++) {
          float *r = a + (size_t)i * T, mx = r[0], sum = 0;
          for (int j = 1; j <= i; j++) mx = r[j] > mx ? r[j] : mx;
          for (int j = 0; j <= i; j++) sum += r[j] = expf(r[j] - mx);
          for (int j = 0; j <= i; j++) r[j] /= sum;
          for (int j = i + 1; j < T; j++) r[j] = 0;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, D, T, 1.0f, a, T, qs + 2 * C,
                    C3, 0.0f, w->y[l] + (size_t)b * T * C + h * D, C);
      }
    dense(w->y[l], q[4], q[5], w->xmid[l], N, C, C);
    for (size_t i = 0; i < (size_t)N * C; i++) w->xmid[l][i] += x[i];
    layer_norm(w->xmid[l], q[6], q[7], w->ln2[l], w->mean2[l], w->rstd2[l], N, C);
    dense(w->ln2[l], q[8], q[9], w->pre[l], N, C, C4);
    for (size_t i = 0; i < (size_t)N * C4; i++) {
      float u = w->pre[l][i];
      w->act[l][i] = 0.5f * u * (1.0f + erff(u * 0.70710678f));
    }
    dense(w->act[l], q[10], q[11], w->x[l + 1], N, C4, C);
    for (size_t i = 0; i < (size_t)N * C; i++) w->x[l + 1][i] += w->xmid[l][i];
  }
  float **f = p + 2 + 12 * L;
  layer_norm(w->x[L], f[0], f[1], w->lnf, w->meanf, w->rstdf, N, C);
  dense(w->lnf, f[2], f[3], w->logits, N, C, V);

  /* Loss, and its gradient in place of the logits: (softmax - onehot)/N. */
  double loss = 0;
  for (int n = 0; n < N; n++) {
    float *z = w->logits + (size_t)n * V, mx = z[0], sum = 0;
    for (int j = 1; j < V; j++) mx = z[j] > mx ? z[j] : mx;
    for (int j = 0; j < V; j++) sum += expf(z[j] - mx);
    float lse = mx + logf(sum);
    loss += lse - z[targets[n]];
    for (int j = 0; j < V; j++) z[j] = expf(z[j] - lse) / N;
    z[targets[n]] -= 1.0f / N;
  }
  float **gf = g + 2 + 12 * L;
  dense_backward(w->lnf, f[2], w->logits, w->dln, 0.0f, gf[2], gf[3], N, C, V);
  memset(w->dx, 0, (size_t)N * C * sizeof(float));
  layer_norm_backward(w->x[L], w->meanf, w->rstdf, f[0], w->dln, w->dx, gf[0], gf[1], N, C);
  for (int l = L - 1; l >= 0; l--) {
    float **q = p + 2 + 12 * l, **gq = g + 2 + 12 * l;
    /* MLP: dx holds the gradient of x[l+1], which is also that of xmid through the residual. */
    dense_backward(w->act[l], q[10], w->dx, w->dpre, 0.0f, gq[10], gq[11], N, C4, C);
    for (size_t i = 0; i < (size_t)N * C4; i++) {
      /* gelu'(u) = Phi(u) + u phi(u) */
      float u = w->pre[l][i];
      w->dpre[i] *= 0.5f * (1.0f + erff(u * 0.70710678f)) + u * 0.39894228f * expf(-0.5f * u * u);
    }
    dense_backward(w->ln2[l], q[8], w->dpre, w->dln, 0.0f, gq[8], gq[9], N, C, C4);
    layer_norm_backward(w->xmid[l], w->mean2[l], w->rstd2[l], q[6], w->dln, w->dx, gq[6], gq[7],
                        N, C);
    /* Attention: dx now holds the gradient of xmid, also that of x[l]. */
    dense_backward(w->y[l], q[4], w->dx, w->dy, 0.0f, gq[4], gq[5], N, C, C);
    for (int b = 0; b < B; b++)
      for (int h = 0; h < H; h++) {
        const float *qs = w->qkv[l] + (size_t)b * T * C3 + h * D;
        float *dqs = w->dqkv + (size_t)b * T * C3 + h * D;
        const float *a = w->att[l] + ((size_t)b * H + h) * T * T;
        const float *dy = w->dy + (size_t)b * T * C + h * D;
        float *da = w->datt;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, D, 1.0f, dy, C, qs + 2 * C, C3,
                    0.0f, da, T);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, D, T, 1.0f, a, T, dy, C, 0.0f,
                    dqs + 2 * C, C3);
        /* Softmax backward with the score scale: ds = a*(da - sum_j a*da) * scale. */
        for (int i = 0; i < T; i++) {
          const float *r = a + (size_t)i * T;
          float *dr = da + (size_t)i * T, dot = 0;
          for (int j = 0; j <= i; j++) dot += r[j] * dr[j];
          for (int j = 0; j <= i; j++) dr[j] = r[j] * (dr[j] - dot) * scale;
          for (int j = i + 1; j < T; j++) dr[j] = 0;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, D, T, 1.0f, da, T, qs + C, C3,
                    0.0f, dqs, C3);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, D, T, 1.0f, da, T, qs, C3, 0.0f,
                    dqs + C, C3);
      }
    dense_backward(w->ln1[l], q[2], w->dqkv, w->dln, 0.0f, gq[2], gq[3], N, C, C3);
    layer_norm_backward(w->x[l], w->mean1[l], w->rstd1[l], q[0], w->dln, w->dx, gq[0], gq[1], N,
                        C);
  }
  memset(g[0], 0, (size_t)V * C * sizeof(float)), memset(g[1], 0, (size_t)T * C * sizeof(float));
  for (int n = 0; n < N; n++)
    for (int j = 0; j < C; j++) {
      g[0][tokens[n] * C + j] += w->dx[(size_t)n * C + j];
      g[1][(n % T) * C + j] += w->dx[(size_t)n * C + j];
    }

  size_t sizes[2 + 12 * MAX_LAYERS + 4];
  parameter_sizes(&s, sizes);
  float c1 = 1.0f / (1.0f - powf(0.9f, (float)t)), c2 = 1.0f / (1.0f - powf(0.999f, (float)t));
  for (int k = 0; k < parameter_count(L); k++) adam(p[k], g[k], m[k], v[k], sizes[k], lr, c1, c2);
  return (float)(loss / N);
}
