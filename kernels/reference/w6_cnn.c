/* W6 by hand: the fashion-mnist demo's CNN training step (`Sequential.convolutional`),
 * batch N, f32, Adam (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected), integer labels.
 *
 *   a1 = relu(conv5x5_pad2(x, K1) + c1)      x [N,1,28,28], K1 [C1,1,5,5]
 *   p1 = maxpool2x2(a1)                      [N,C1,14,14]
 *   a2 = relu(conv5x5_pad2(p1, K2) + c2)     K2 [C2,C1,5,5]
 *   p2 = maxpool2x2(a2)                      [N,C2,7,7], flattened in (c, y, x) order
 *   h  = relu(p2 D1 + d1), z = h D2 + d2,    D1 [C2*49, H], D2 [H, 10]
 *   loss = mean_b (logsumexp(z_b) - z_b[label_b])
 *
 * Activations are kept as [N*H*W, C] matrices (channels last), so each convolution is one
 * im2col (rows: output positions; columns: (c, kh, kw), the weights' own order) and one
 * cblas_sgemm; its weight gradient is a second sgemm against the same im2col matrix and its
 * input gradient a third, followed by col2im (a scatter-add). Max pooling sends the gradient
 * to each window's first maximum (row-major), ReLU's derivative is 0 at 0: graphc's
 * conventions, so both compute the same step. Parameters and moments update in place. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

float expf(float);
float logf(float);
float sqrtf(float);
float powf(float, float);

enum { SIDE = 28, HALF = 14, QUARTER = 7, K = 5, PAD = 2, CLASSES = 10, PARAMS = 8 };

typedef struct {
  int n, c1, c2, hidden;
  float *p[PARAMS], *m[PARAMS], *v[PARAMS], *g[PARAMS]; /* K1 c1 K2 c2 D1 d1 D2 d2 */
  int count[PARAMS];
  float *col1, *a1, *p1, *col2, *a2, *p2, *flat, *h, *z;  /* forward */
  float *dz, *dh, *dflat, *da2, *dcol2, *dp1, *da1;        /* backward */
  int *arg1, *arg2;                                        /* index of each window's max */
} ref_cnn;

static float *zeros(long count) { return calloc((size_t)(count > 0 ? count : 1), sizeof(float)); }

/* Makes the step's state for batch n with copies of the eight parameters, in the order above. */
ref_cnn *ref_w6_create(int n, int c1, int c2, int hidden, const float *const *params) {
  ref_cnn *s = calloc(1, sizeof(ref_cnn));
  s->n = n, s->c1 = c1, s->c2 = c2, s->hidden = hidden;
  int counts[PARAMS] = {c1 * K * K, c1, c2 * c1 * K * K, c2, c2 * 49 * hidden, hidden,
                        hidden * CLASSES, CLASSES};
  for (int k = 0; k < PARAMS; k++) {
    s->count[k] = counts[k];
    s->p[k] = zeros(counts[k]), s->m[k] = zeros(counts[k]);
    s->v[k] = zeros(counts[k]), s->g[k] = zeros(counts[k]);
    memcpy(s->p[k], params[k], sizeof(float) * (size_t)counts[k]);
  }
  long r1 = (long)n * SIDE * SIDE, r2 = (long)n * HALF * HALF, r3 = (long)n * QUARTER * QUARTER;
  s->col1 = zeros(r1 * K * K), s->a1 = zeros(r1 * c1), s->p1 = zeros(r2 * c1);
  s->col2 = zeros(r2 * c1 * K * K), s->a2 = zeros(r2 * c2), s->p2 = zeros(r3 * c2);
  s->flat = zeros(r3 * c2), s->h = zeros((long)n * hidden), s->z = zeros((long)n * CLASSES);
  s->dz = zeros((long)n * CLASSES), s->dh = zeros((long)n * hidden), s->dflat = zeros(r3 * c2);
  s->da2 = zeros(r2 * c2), s->dcol2 = zeros(r2 * c1 * K * K), s->dp1 = zeros(r2 * c1);
  s->da1 = zeros(r1 * c1);
  s->arg1 = calloc((size_t)(r2 * c1), sizeof(int)), s->arg2 = calloc((size_t)(r3 * c2), sizeof(int));
  return s;
}

/* The current value of parameter k (to compare with graphc's). */
const float *ref_w6_param(const ref_cnn *s, int k) { return s->p[k]; }

/* im2col of a channels-last [n, side, side, c] image with 5x5 windows and padding 2: row
 * (b, y, x), column (ch, kh, kw). */
static void im2col(const float *in, float *col, int n, int side, int c) {
  int width = c * K * K;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++) {
        float *row = col + ((long)(b * side + y) * side + x) * width;
        for (int kh = 0; kh < K; kh++)
          for (int kw = 0; kw < K; kw++) {
            int iy = y + kh - PAD, ix = x + kw - PAD;
            int inside = iy >= 0 && iy < side && ix >= 0 && ix < side;
            const float *pixel = in + ((long)(b * side + iy) * side + ix) * c;
            for (int ch = 0; ch < c; ch++) row[ch * K * K + kh * K + kw] = inside ? pixel[ch] : 0;
          }
      }
}

/* The transpose of im2col: each image element adds up the window elements taken from it. */
static void col2im(const float *col, float *out, int n, int side, int c) {
  int width = c * K * K;
  memset(out, 0, sizeof(float) * (size_t)n * side * side * c);
  for (int b = 0; b < n; b++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++) {
        const float *row = col + ((long)(b * side + y) * side + x) * width;
        for (int kh = 0; kh < K; kh++)
          for (int kw = 0; kw < K; kw++) {
            int iy = y + kh - PAD, ix = x + kw - PAD;
            if (iy < 0 || iy >= side || ix < 0 || ix >= side) continue;
            float *pixel = out + ((long)(b * side + iy) * side + ix) * c;
            for (int ch = 0; ch < c; ch++) pixel[ch] += row[ch * K * K + kh * K + kw];
          }
      }
}

/* rows [r, c] = bias per column, then += a [r, k] w^T (w [c, k]), then ReLU. */
static void conv_product(const float *col, const float *w, const float *bias, float *out, long r,
                         int c, int k) {
  for (long i = 0; i < r; i++) memcpy(out + i * c, bias, sizeof(float) * (size_t)c);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, c, k, 1.0f, col, k, w, k, 1.0f,
              out, c);
  for (long i = 0; i < r * c; i++) out[i] = out[i] > 0 ? out[i] : 0.0f;
}

/* 2x2 max pooling of channels-last [n, side, side, c], recording each window's first max. */
static void maxpool(const float *in, float *out, int *arg, int n, int side, int c) {
  int half = side / 2;
  for (int b = 0; b < n; b++)
    for (int y = 0; y < half; y++)
      for (int x = 0; x < half; x++)
        for (int ch = 0; ch < c; ch++) {
          int best = ((b * side + 2 * y) * side + 2 * x) * c + ch;
          for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++) {
              int at = ((b * side + 2 * y + dy) * side + 2 * x + dx) * c + ch;
              if (in[at] > in[best]) best = at;
            }
          int o = ((b * half + y) * half + x) * c + ch;
          out[o] = in[best], arg[o] = best;
        }
}

/* The gradient of ReLU(maxpool): each window's max gets the pooled gradient where it is > 0. */
static void unpool(const float *dout, const int *arg, const float *act, float *din, long pooled,
                   long full) {
  memset(din, 0, sizeof(float) * (size_t)full);
  for (long i = 0; i < pooled; i++)
    if (act[arg[i]] > 0) din[arg[i]] = dout[i];
}

static void colsum(const float *d, float *out, long rows, int cols) {
  for (int j = 0; j < cols; j++) out[j] = 0;
  for (long i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) out[j] += d[i * cols + j];
}

static void adam(float *p, const float *g, float *m, float *v, int count, float lr, float c1,
                 float c2) {
  for (int i = 0; i < count; i++) {
    m[i] = 0.9f * m[i] + 0.1f * g[i];
    v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
    p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + 1e-8f);
  }
}

/* One step on images x [n, 784] and labels [n]; returns the loss before the update. */
float ref_w6_step(ref_cnn *s, const float *x, const int *labels, float lr, int t) {
  int n = s->n, c1 = s->c1, c2 = s->c2, hid = s->hidden, flat = c2 * 49;
  long r1 = (long)n * SIDE * SIDE, r2 = (long)n * HALF * HALF, r3 = (long)n * QUARTER * QUARTER;
  float **p = s->p, **g = s->g;

  im2col(x, s->col1, n, SIDE, 1);
  conv_product(s->col1, p[0], p[1], s->a1, r1, c1, K * K);
  maxpool(s->a1, s->p1, s->arg1, n, SIDE, c1);
  im2col(s->p1, s->col2, n, HALF, c1);
  conv_product(s->col2, p[2], p[3], s->a2, r2, c2, c1 * K * K);
  maxpool(s->a2, s->p2, s->arg2, n, HALF, c2);
  for (int b = 0; b < n; b++) /* channels-last to graphc's (c, y, x) flattening */
    for (int q = 0; q < 49; q++)
      for (int ch = 0; ch < c2; ch++) s->flat[b * flat + ch * 49 + q] = s->p2[(b * 49 + q) * c2 + ch];
  for (int b = 0; b < n; b++) memcpy(s->h + b * hid, p[5], sizeof(float) * (size_t)hid);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, hid, flat, 1.0f, s->flat, flat, p[4],
              hid, 1.0f, s->h, hid);
  for (long i = 0; i < (long)n * hid; i++) s->h[i] = s->h[i] > 0 ? s->h[i] : 0.0f;
  for (int b = 0; b < n; b++) memcpy(s->z + b * CLASSES, p[7], sizeof(float) * CLASSES);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, CLASSES, hid, 1.0f, s->h, hid, p[6],
              CLASSES, 1.0f, s->z, CLASSES);

  double loss = 0;
  for (int b = 0; b < n; b++) {
    float *z = s->z + b * CLASSES, *dz = s->dz + b * CLASSES, mx = z[0], sum = 0;
    for (int j = 1; j < CLASSES; j++) mx = z[j] > mx ? z[j] : mx;
    for (int j = 0; j < CLASSES; j++) sum += expf(z[j] - mx);
    float lse = mx + logf(sum);
    loss += lse - z[labels[b]];
    for (int j = 0; j < CLASSES; j++) dz[j] = (expf(z[j] - lse) - (j == labels[b])) / (float)n;
  }

  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hid, CLASSES, n, 1.0f, s->h, hid, s->dz,
              CLASSES, 0.0f, g[6], CLASSES);
  colsum(s->dz, g[7], n, CLASSES);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, hid, CLASSES, 1.0f, s->dz, CLASSES,
              p[6], CLASSES, 0.0f, s->dh, hid);
  for (long i = 0; i < (long)n * hid; i++) s->dh[i] = s->h[i] > 0 ? s->dh[i] : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, flat, hid, n, 1.0f, s->flat, flat, s->dh,
              hid, 0.0f, g[4], hid);
  colsum(s->dh, g[5], n, hid);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, flat, hid, 1.0f, s->dh, hid, p[4], hid,
              0.0f, s->dflat, flat);
  for (int b = 0; b < n; b++) /* back to channels last */
    for (int q = 0; q < 49; q++)
      for (int ch = 0; ch < c2; ch++) s->p2[(b * 49 + q) * c2 + ch] = s->dflat[b * flat + ch * 49 + q];

  unpool(s->p2, s->arg2, s->a2, s->da2, r3 * c2, r2 * c2);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c2, c1 * K * K, (int)r2, 1.0f, s->da2, c2,
              s->col2, c1 * K * K, 0.0f, g[2], c1 * K * K);
  colsum(s->da2, g[3], r2, c2);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r2, c1 * K * K, c2, 1.0f, s->da2, c2,
              p[2], c1 * K * K, 0.0f, s->dcol2, c1 * K * K);
  col2im(s->dcol2, s->dp1, n, HALF, c1);
  unpool(s->dp1, s->arg1, s->a1, s->da1, r2 * c1, r1 * c1);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c1, K * K, (int)r1, 1.0f, s->da1, c1,
              s->col1, K * K, 0.0f, g[0], K * K);
  colsum(s->da1, g[1], r1, c1);

  float k1 = 1.0f / (1.0f - powf(0.9f, (float)t)), k2 = 1.0f / (1.0f - powf(0.999f, (float)t));
  for (int k = 0; k < PARAMS; k++) adam(p[k], g[k], s->m[k], s->v[k], s->count[k], lr, k1, k2);
  return (float)(loss / n);
}
