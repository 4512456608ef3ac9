/* W1 by hand: one SGD step (forward, backward, update) of an MLP 784-256-256-10 with ReLU
 * hidden layers and softmax cross-entropy, batch B, f32, matrix products by OpenBLAS.
 *
 *   h1 = relu(X W1 + b1), h2 = relu(h1 W2 + b2), z = h2 W3 + b3,
 *   loss = mean_b -sum_j Y[b,j] * log_softmax(z)[b,j]
 *   dz = (softmax(z) - Y) / B, dW3 = h2^T dz, db3 = colsum(dz),
 *   dh2 = (dz W3^T) * [h2 > 0], dW2 = h1^T dh2, ..., W -= lr * dW.
 * Scratch is passed in so the step allocates nothing. */
#include <cblas.h>

float expf(float);
float logf(float);

typedef struct {
  float *w1, *b1, *w2, *b2, *w3, *b3;          /* params, updated in place */
  float *h1, *h2, *z, *dz, *dh2, *dh1;          /* activations and their gradients */
  float *dw1, *dw2, *dw3;                       /* weight gradients */
} ref_mlp;

enum { IN = 784, H = 256, OUT = 10 };

static void dense_relu(const float *x, const float *w, const float *b, float *h, int n, int k, int m,
                       int relu) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) h[i * m + j] = b[j];
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0f, x, k, w, m, 1.0f, h, m);
  if (relu)
    for (int i = 0; i < n * m; i++) h[i] = h[i] > 0 ? h[i] : 0.0f;
}

static void update(float *w, const float *dw, int count, float lr) {
  for (int i = 0; i < count; i++) w[i] -= lr * dw[i];
}

static void update_bias(float *b, const float *d, int n, int m, float lr) {
  for (int j = 0; j < m; j++) {
    float s = 0;
    for (int i = 0; i < n; i++) s += d[i * m + j];
    b[j] -= lr * s;
  }
}

float ref_w1_step(ref_mlp *p, const float *x, const float *y, int n, float lr) {
  dense_relu(x, p->w1, p->b1, p->h1, n, IN, H, 1);
  dense_relu(p->h1, p->w2, p->b2, p->h2, n, H, H, 1);
  dense_relu(p->h2, p->w3, p->b3, p->z, n, H, OUT, 0);
  double loss = 0;
  for (int i = 0; i < n; i++) {
    float *z = p->z + i * OUT, *dz = p->dz + i * OUT;
    float mx = z[0];
    for (int j = 1; j < OUT; j++) mx = z[j] > mx ? z[j] : mx;
    float s = 0;
    for (int j = 0; j < OUT; j++) s += expf(z[j] - mx);
    float lse = mx + logf(s);
    for (int j = 0; j < OUT; j++) {
      loss -= y[i * OUT + j] * (z[j] - lse);
      dz[j] = (expf(z[j] - lse) - y[i * OUT + j]) / (float)n;
    }
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, OUT, n, 1.0f, p->h2, H, p->dz, OUT, 0.0f, p->dw3, OUT);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, H, OUT, 1.0f, p->dz, OUT, p->w3, OUT, 0.0f, p->dh2, H);
  for (int i = 0; i < n * H; i++) p->dh2[i] = p->h2[i] > 0 ? p->dh2[i] : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, n, 1.0f, p->h1, H, p->dh2, H, 0.0f, p->dw2, H);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, H, H, 1.0f, p->dh2, H, p->w2, H, 0.0f, p->dh1, H);
  for (int i = 0; i < n * H; i++) p->dh1[i] = p->h1[i] > 0 ? p->dh1[i] : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, IN, H, n, 1.0f, x, IN, p->dh1, H, 0.0f, p->dw1, H);
  update(p->w3, p->dw3, H * OUT, lr);
  update_bias(p->b3, p->dz, n, OUT, lr);
  update(p->w2, p->dw2, H * H, lr);
  update_bias(p->b2, p->dh2, n, H, lr);
  update(p->w1, p->dw1, IN * H, lr);
  update_bias(p->b1, p->dh1, n, H, lr);
  return (float)(loss / n);
}
