/* graphc prelude: everything generated kernels rely on, and nothing else.
 *
 * Self-contained on purpose: no system headers (including <math.h> costs TinyCC about
 * 2.4 ms per compile). The math functions are declared here and resolved at link time:
 * from libm (`-lm`) for a standalone build, or supplied by graphc for its in-process JIT.
 * This file is byte-identical to `Prelude.text` in Sources/CCodegen/Prelude.swift. */
#ifndef GC_PRELUDE_H
#define GC_PRELUDE_H

/* A value computed in two kernels must have the same bits in both (the gradient of max
 * counts the elements equal to the maximum), so no compiler may fuse a*b + c into one
 * rounding in one kernel and not in the other. Clang honours C99's pragma for that.
 * GCC does not implement it (and warns), but fuses only in GNU mode (-std=gnu*, its
 * default), where it needs -ffp-contract=off; TinyCC never fuses. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

double exp(double);
double log(double);
double sin(double);
double cos(double);
double tan(double);
double tanh(double);
double sqrt(double);
double fabs(double);
double pow(double, double);
double floor(double);
double erf(double);
double lgamma(double);
float expf(float);
float logf(float);
float sinf(float);
float cosf(float);
float tanf(float);
float tanhf(float);
float sqrtf(float);
float fabsf(float);
float powf(float, float);
float erff(float);
float lgammaf(float);

/* Matrix products call CBLAS (OpenBLAS) when graphc runs the code, as do `a - b * s` updates
 * (copy and axpy) and column sums (gemv with a vector of ones); the standalone export writes
 * loops instead and never calls these.
 * The enumerations are plain ints here: 101 is row-major, 111 no transpose, 112 transpose. */
void cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c,
                 int ldc);
void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                 const double* a, int lda, const double* b, int ldb, double beta, double* c,
                 int ldc);
void cblas_scopy(int n, const float* x, int incx, float* y, int incy);
void cblas_dcopy(int n, const double* x, int incx, double* y, int incy);
void cblas_saxpy(int n, float alpha, const float* x, int incx, float* y, int incy);
void cblas_daxpy(int n, double alpha, const double* x, int incx, double* y, int incy);
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float* a, int lda,
                 const float* x, int incx, float beta, float* y, int incy);
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double* a, int lda,
                 const double* x, int incx, double beta, double* y, int incy);

/* exp, log and tanh as kernels call them. A build that defines GC_FAST_MATH first
 * (graphc's optimising cc backend, which puts kernels/fastmath.h in front of this file)
 * gets the inline, vectorisable versions. Otherwise exp and log are libm's, and tanh is
 * computed from exp: glibc's tanhf costs about three expf calls. For |x| >= 0.55,
 * tanh(x) = 1 - 2/(1 + exp(2|x|)) with the sign of x, within 3 ulp (no cancellation, as the
 * result is at least 0.5); below 0.55 that formula would cancel, so f32 uses its Taylor
 * series (as fastmath.h, within 3 ulp) and f64 calls libm. NaN passes through exp. */
#ifdef GC_FAST_MATH
#define gc_exp gc_fast_exp
#define gc_expf gc_fast_expf
#define gc_log gc_fast_log
#define gc_logf gc_fast_logf
#define gc_tanh gc_fast_tanh
#define gc_tanhf gc_fast_tanhf
#else
#define gc_exp exp
#define gc_expf expf
#define gc_log log
#define gc_logf logf
static inline double gc_tanh(double x) {
  double a = x < 0.0 ? -x : x;
  double t;
  if (a < 0.55) return tanh(x);
  t = 1.0 - 2.0 / (1.0 + exp(2.0 * a));
  return x < 0.0 ? -t : t;
}
static inline float gc_tanhf(float x) {
  float a = x < 0.0f ? -x : x, x2 = x * x;
  float t;
  if (a < 0.55f) {
    return x + x * x2 * (-0.333333343f + x2 * (0.133333340f + x2 * (-0.0539682544f
           + x2 * (0.0218694881f + x2 * (-0.00886323582f + x2 * (0.00359212812f
           + x2 * (-0.00145583437f + x2 * 0.000590027450f)))))));
  }
  t = 1.0f - 2.0f / (1.0f + expf(2.0f * a));
  return x < 0.0f ? -t : t;
}
#endif

/* IEEE specials written portably: constant-folded by every compiler, no builtins. */
#define GC_INF (1.0 / 0.0)
#define GC_NAN (0.0 / 0.0)
#define GC_INFF (1.0f / 0.0f)
#define GC_NANF (0.0f / 0.0f)

/* Digamma and trigamma (the derivatives of lgamma), step for step as ScalarMath.digamma
 * and ScalarMath.trigamma in Sources/GraphIR/ScalarMath+Gamma.swift, which explains the
 * method: recurrence up to x >= 10 and the asymptotic series for x > 0, reflection for
 * x < 0; at the poles digamma is -1/x at zero and NaN below, trigamma +inf. The float
 * versions compute in double. */
static inline double gc_digamma(double x) {
  double result = 0.0, r, series;
  if (x <= 0.0) {
    if (x == floor(x)) return x == 0.0 ? -1.0 / x : GC_NAN;
    return gc_digamma(1.0 - x) - 3.141592653589793 / tan(3.141592653589793 * (x - floor(x)));
  }
  while (x < 10.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  r = 1.0 / (x * x);
  series = r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240
           - r * (1.0 / 132 - r * (691.0 / 32760 - r / 12))))));
  return result + log(x) - 0.5 / x - series;
}
static inline double gc_trigamma(double x) {
  double result = 0.0, r, s, series;
  if (x <= 0.0) {
    if (x == floor(x)) return GC_INF;
    s = sin(3.141592653589793 * (x - floor(x)));
    return 3.141592653589793 * 3.141592653589793 / (s * s) - gc_trigamma(1.0 - x);
  }
  while (x < 10.0) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  r = 1.0 / (x * x);
  series = r * (1.0 / 6 - r * (1.0 / 30 - r * (1.0 / 42 - r * (1.0 / 30
           - r * (5.0 / 66 - r * (691.0 / 2730 - r * 7.0 / 6))))));
  return result + 1.0 / x + 0.5 * r + series / x;
}
static inline float gc_digammaf(float x) { return (float)gc_digamma(x); }
static inline float gc_trigammaf(float x) { return (float)gc_trigamma(x); }

/* Larger and smaller of two values, NaN if either is NaN (NumPy's maximum/minimum).
 * `a + b` is NaN whenever one operand is. */
static inline double gc_max(double a, double b) {
  return (a != a || b != b) ? a + b : (a > b ? a : b);
}
static inline double gc_min(double a, double b) {
  return (a != a || b != b) ? a + b : (a < b ? a : b);
}
static inline float gc_maxf(float a, float b) {
  return (a != a || b != b) ? a + b : (a > b ? a : b);
}
static inline float gc_minf(float a, float b) {
  return (a != a || b != b) ? a + b : (a < b ? a : b);
}

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);
static inline void gc_run(gc_parallel_for par, void* ctx, gc_kernel k, void* const* b,
                          long long n) {
  if (par) {
    par(ctx, k, b, n);
  } else {
    k(b, 0, n);
  }
}

/* The host's sum over the ranks of a data-parallel run (`allreduce`): replaces the
 * `count` values at `data` (dtype 0: float, 1: double) by their sum over all ranks, the
 * same on every rank, and returns 0, or non-zero when it failed. graphc supplies it; a
 * standalone export defines a replaceable default that does nothing (one process). */
int gc_allreduce(void* data, long long count, int dtype);

#endif /* GC_PRELUDE_H */
