/* W5 by hand: the fashion-mnist example's training step. MLP 784-256-10, ReLU, softmax
 * cross-entropy, batch B, f32, Adam (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected),
 * matrix products by OpenBLAS. Parameters and Adam moments are updated in place.
 *
 *   h = relu(X W1 + b1), z = h W2 + b2, loss = mean_b -sum_j Y log_softmax(z)
 *   dz = (softmax(z) - Y)/B, dW2 = h^T dz, db2 = colsum(dz), dh = (dz W2^T)*[h>0],
 *   dW1 = X^T dh, db1 = colsum(dh); for each parameter p with gradient g:
 *   m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) */
#include <cblas.h>

float expf(float);
float logf(float);
float sqrtf(float);
float powf(float, float);

enum { IN = 784, H = 256, OUT = 10 };

typedef struct {
  float *w1, *b1, *w2, *b2;                 /* parameters */
  float *m[4], *v[4];                       /* Adam moments, same order */
  float *h, *z, *dz, *dh, *dw1, *db1, *dw2, *db2; /* scratch */
} ref_adam_mlp;

static void adam(float *p, const float *g, float *m, float *v, int count, float lr, float c1, float c2) {
  for (int i = 0; i < count; i++) {
    m[i] = 0.9f * m[i] + 0.1f * g[i];
    v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
    p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + 1e-8f);
  }
}

static void colsum(const float *d, float *out, int n, int m) {
  for (int j = 0; j < m; j++) out[j] = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) out[j] += d[i * m + j];
}

float ref_w5_step(ref_adam_mlp *p, const float *x, const float *y, int n, float lr, int t) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < H; j++) p->h[i * H + j] = p->b1[j];
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, H, IN, 1.0f, x, IN, p->w1, H, 1.0f, p->h, H);
  for (int i = 0; i < n * H; i++) p->h[i] = p->h[i] > 0 ? p->h[i] : 0.0f;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < OUT; j++) p->z[i * OUT + j] = p->b2[j];
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, OUT, H, 1.0f, p->h, H, p->w2, OUT, 1.0f, p->z, OUT);
  double loss = 0;
  for (int i = 0; i < n; i++) {
    float *z = p->z + i * OUT, *dz = p->dz + i * OUT, mx = z[0], s = 0;
    for (int j = 1; j < OUT; j++) mx = z[j] > mx ? z[j] : mx;
    for (int j = 0; j < OUT; j++) s += expf(z[j] - mx);
    float lse = mx + logf(s);
    for (int j = 0; j < OUT; j++) {
      loss -= y[i * OUT + j] * (z[j] - lse);
      dz[j] = (expf(z[j] - lse) - y[i * OUT + j]) / (float)n;
    }
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, OUT, n, 1.0f, p->h, H, p->dz, OUT, 0.0f, p->dw2, OUT);
  colsum(p->dz, p->db2, n, OUT);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, H, OUT, 1.0f, p->dz, OUT, p->w2, OUT, 0.0f, p->dh, H);
  for (int i = 0; i < n * H; i++) p->dh[i] = p->h[i] > 0 ? p->dh[i] : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, IN, H, n, 1.0f, x, IN, p->dh, H, 0.0f, p->dw1, H);
  colsum(p->dh, p->db1, n, H);
  float c1 = 1.0f / (1.0f - powf(0.9f, (float)t)), c2 = 1.0f / (1.0f - powf(0.999f, (float)t));
  adam(p->w1, p->dw1, p->m[0], p->v[0], IN * H, lr, c1, c2);
  adam(p->b1, p->db1, p->m[1], p->v[1], H, lr, c1, c2);
  adam(p->w2, p->dw2, p->m[2], p->v[2], H * OUT, lr, c1, c2);
  adam(p->b2, p->db2, p->m[3], p->v[3], OUT, lr, c1, c2);
  return (float)(loss / n);
}
