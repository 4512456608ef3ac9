/* graphc: inputs x f64[3,4]; outputs rows f64[3], top f64[4] */
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

/* exp, log and tanh as kernels call them. A build that defines GC_FAST_MATH first
 * (graphc's optimising cc backend, which puts kernels/fastmath.h in front of this file)
 * gets the inline, vectorisable versions. Otherwise exp and log are libm's, and tanh is
 * computed from exp: glibc's tanhf costs about three expf calls. For |x| >= 0.55,
 * tanh(x) = 1 - 2/(1 + exp(2|x|)) with the sign of x, within 3 ulp (no cancellation, as the
 * result is at least 0.5); below 0.55 that formula would cancel, so f32 uses its Taylor
 * series (as fastmath.h, within 3 ulp) and f64 calls libm. NaN passes through exp. */
#define gc_exp exp

/* IEEE specials written portably: constant-folded by every compiler, no builtins. */
#define GC_INF (1.0 / 0.0)

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p2: %2 = sum(axes: [1]) %1 : f64[3]  # rows */
/* p4: %4 = reduce_max(axes: [0]) %3 : f64[4]  # top */
static void gc_k0(const double* p0, double* p2, double* p4) {
  for (long long j = 0; j < 4; j++) p4[j] = (-GC_INF);
  for (long long i0 = 0; i0 < 3; i0++) {
    double acc2 = 0.0;
    const long long o0 = i0 * 4;
    #ifdef GC_SIMD
    #pragma omp simd reduction(+ : acc2)
    #endif
    for (long long i1 = 0; i1 < 4; i1++) {
      /* t0: input x */
      const double t0 = p0[o0 + i1];
      /* with %1 mul */
      acc2 += (t0 * t0);
      /* with %3 exp */
      const double m4 = (gc_exp(t0));
      p4[i1] = (p4[i1] != p4[i1] || m4 != m4) ? p4[i1] + m4 : (p4[i1] > m4 ? p4[i1] : m4);
    }
    p2[i0] = acc2;
  }
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  const double* p0 = (const double*)gc_in[0];
  double* p2 = (double*)gc_out[0];
  double* p4 = (double*)gc_out[1];
  gc_k0(p0, p2, p4);
  return 0;
}
