/* graphc prelude: everything generated kernels rely on, and nothing else.
 *
 * Self-contained on purpose: no system headers (including <math.h> costs TinyCC about
 * 2.4 ms per compile). The math functions are declared here and resolved at link time:
 * from libm (`-lm`) for a standalone build, or supplied by graphc for its in-process JIT.
 * This file is byte-identical to `Prelude.text` in Sources/CCodegen/Prelude.swift. */
#ifndef GC_PRELUDE_H
#define GC_PRELUDE_H

double exp(double);
double log(double);
double sin(double);
double cos(double);
double tan(double);
double tanh(double);
double sqrt(double);
double fabs(double);
double pow(double, double);
float expf(float);
float logf(float);
float sinf(float);
float cosf(float);
float tanf(float);
float tanhf(float);
float sqrtf(float);
float fabsf(float);
float powf(float, float);

/* IEEE specials written portably: constant-folded by every compiler, no builtins. */
#define GC_INF (1.0 / 0.0)
#define GC_NAN (0.0 / 0.0)
#define GC_INFF (1.0f / 0.0f)
#define GC_NANF (0.0f / 0.0f)

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

/* A kernel computes iterations [lo, hi) of its outermost loop, reading and writing the
 * buffers in `b` (indexed as in the schedule). A parallel-for runs a kernel over [0, n),
 * possibly split across threads; gc_run falls back to one serial call without one. */
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

#endif /* GC_PRELUDE_H */

static void gc_k0(void* const* gc_b, long long gc_lo, long long gc_hi) {
  /* p12 computes %12 = sum(axes: [0]) %11 : f64 */
  /* p20 computes %20 = add %18, %19 : f64[4] */
  const double* p0 = (const double*)gc_b[0];
  double* p12 = (double*)gc_b[1];
  double* p20 = (double*)gc_b[2];
  (void)gc_lo;
  (void)gc_hi;
  double acc12 = 0x0p+0;
  for (long long i = 0; i < 4; i++) {
    const double t0 = p0[i]; /* input x */
    const double t2 = 0x1.6666666666666p-1 * t0; /* mul */
    const double t4 = t2 + 0x1.3333333333333p-2; /* add */
    const double t5 = tanh(t4); /* tanh */
    const double t6 = -t0; /* neg */
    const double t7 = exp(t6); /* exp */
    const double t9 = t7 + 0x1p+0; /* add */
    const double t10 = 0x1p+0 / t9; /* div */
    const double t11 = t5 * t10; /* mul */
    acc12 += t11;
    const double t13 = t5 * t5; /* mul */
    const double t14 = 0x1p+0 - t13; /* sub */
    const double t15 = 0x1.6666666666666p-1 * t14; /* mul */
    const double t18 = t10 * t15; /* mul */
    const double t16 = 0x1p+0 - t10; /* sub */
    const double t17 = t10 * t16; /* mul */
    const double t19 = t5 * t17; /* mul */
    const double t20 = t18 + t19; /* add */
    p20[i] = t20;
  }
  p12[0] = acc12;
}

void gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par, void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  void* gc_b[3];
  (void)gc_in;
  (void)gc_out;
  (void)gc_a;
  (void)gc_par;
  (void)gc_par_ctx;
  gc_b[0] = (void*)gc_in[0]; /* p0 */
  gc_b[1] = gc_out[0]; /* p12 */
  gc_b[2] = gc_out[1]; /* p20 */
  gc_k0(gc_b, 0, 1);
}
