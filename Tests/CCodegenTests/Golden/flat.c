/* graphc: inputs x f64[4]; outputs f f64, df f64[4] */
/* graphc prelude: the parts of kernels/prelude.h this program uses. Self-contained:
 * no system headers; the math functions come from libm (-lm). */

/* A value computed in two kernels must have the same bits in both (the gradient of max
 * counts the elements equal to the maximum), so no compiler may fuse a*b + c into one
 * rounding in one kernel and not in the other. Clang honours C99's pragma for that.
 * GCC does not implement it (and warns), but fuses only in GNU mode (-std=gnu*, its
 * default), where it needs -ffp-contract=off; TinyCC never fuses. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

double exp(double);
double tanh(double);

/* exp, log and tanh as kernels call them. A build that defines GC_FAST_MATH first
 * (graphc's optimising cc backend, which puts kernels/fastmath.h in front of this file)
 * gets the inline, vectorisable versions. Otherwise exp and log are libm's, and tanh is
 * computed from exp: glibc's tanhf costs about three expf calls. For |x| >= 0.55,
 * tanh(x) = 1 - 2/(1 + exp(2|x|)) with the sign of x, within 3 ulp (no cancellation, as the
 * result is at least 0.5); below 0.55 that formula would cancel, so f32 uses its Taylor
 * series (as fastmath.h, within 3 ulp) and f64 calls libm. NaN passes through exp. */
#define gc_exp exp
static inline double gc_tanh(double x) {
  double a = x < 0.0 ? -x : x;
  double t;
  if (a < 0.55) return tanh(x);
  t = 1.0 - 2.0 / (1.0 + exp(2.0 * a));
  return x < 0.0 ? -t : t;
}

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p12: %12 = sum(axes: [0]) %11 : f64  # f */
/* p20: %20 = add %15, %19 : f64[4]  # df; multivariable chain rule (sum over uses) */
static void gc_k0(const double* p0, double* p12, double* p20) {
  double acc12 = 0.0;
  #ifdef GC_SIMD
  #pragma omp simd reduction(+ : acc12)
  #endif
  for (long long i = 0; i < 4; i++) {
    /* t0: input x */
    const double t0 = p0[i];
    /* t5: tanh; with %2 mul, %4 add */
    const double t5 = gc_tanh(((0.7 * t0) + 0.3));
    /* t7: exp; with %6 neg */
    const double t7 = gc_exp((-t0));
    /* t10: div; with %9 add */
    const double t10 = 1.0 / (t7 + 1.0);
    /* with %11 mul */
    acc12 += (t5 * t10);
    /* with %13 mul: quotient rule, %14 mul: quotient rule, %15 mul: constant multiple rule,
        %16 mul: chain rule through tanh, %17 sub: chain rule through tanh,
        %18 mul: chain rule through tanh, %19 mul: product rule,
        %20 add df: multivariable chain rule (sum over uses) */
    p20[i] = ((t7 * (t5 * (t10 * t10))) + (0.7 * (t10 * (1.0 - (t5 * t5)))));
  }
  p12[0] = acc12;
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  const double* p0 = (const double*)gc_in[0];
  double* p12 = (double*)gc_out[0];
  double* p20 = (double*)gc_out[1];
  gc_k0(p0, p12, p20);
  return 0;
}
