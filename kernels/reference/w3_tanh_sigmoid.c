/* W3 by hand: value and gradient of sum(tanh(0.7*x + 0.3) * sigmoid(x)) over f32 x.
 *
 * With t = tanh(u), u = 0.7x + 0.3, s = sigmoid(x):
 *   d/dx [t*s] = 0.7*(1 - t^2)*s + t*s*(1 - s)
 * One pass over x: each element is read once and its gradient written once. The sum is
 * accumulated in double. Two versions: libm's expf/tanhf (what a careful C programmer writes
 * first) and an inline exp the optimiser can vectorise (what they write when it matters;
 * build with -fopenmp-simd so the pragma lets the sum be vectorised). */

float expf(float);
float tanhf(float);

double ref_w3_libm(const float *x, long n, float *grad) {
  double total = 0.0;
  for (long i = 0; i < n; i++) {
    float t = tanhf(0.7f * x[i] + 0.3f);
    float s = 1.0f / (1.0f + expf(-x[i]));
    total += (double)(t * s);
    grad[i] = 0.7f * (1.0f - t * t) * s + t * s * (1.0f - s);
  }
  return total;
}

/* e^v for |v| < 88: v = k*ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^7
 * (relative error below 3e-8), 2^k by building the float's exponent bits. No branches or
 * calls, so gcc -O3 vectorises the loop that uses it. */
static inline float vexp(float v) {
  v = v < -87.0f ? -87.0f : (v > 88.0f ? 88.0f : v);
  float k = (float)(int)(v * 1.44269504f + (v < 0 ? -0.5f : 0.5f));
  float r = v - k * 0.693145752f - k * 1.42860677e-6f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666668e-2f
            + r * (8.3333338e-3f + r * (1.3888889e-3f + r * 1.9841270e-4f))))));
  union { float f; int i; } scale;
  scale.i = ((int)k + 127) << 23;
  return p * scale.f;
}

double ref_w3_vexp(const float *x, long n, float *grad) {
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (long i = 0; i < n; i++) {
    float t = 1.0f - 2.0f / (1.0f + vexp(2.0f * (0.7f * x[i] + 0.3f)));
    float s = 1.0f / (1.0f + vexp(-x[i]));
    total += (double)(t * s);
    grad[i] = 0.7f * (1.0f - t * t) * s + t * s * (1.0f - s);
  }
  return total;
}
