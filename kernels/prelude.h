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
