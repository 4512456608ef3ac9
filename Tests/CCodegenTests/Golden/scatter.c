/* graphc: inputs x f64[6]; outputs df f64[6] */
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

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p13: %13 = add %11, %12 : f64[6]  # df; multivariable chain rule (sum over uses) */
static void gc_k0(const double* p0, double* p13) {
  for (long long j0 = 0; j0 < 1; j0++) p13[j0] = 0.0;
  for (long long i0 = 0; i0 < 5; i0++) {
    /* t0: input x */
    const double t0 = p0[i0];
    /* t5: sub; with %4 pow */
    const double t5 = p0[i0 + 1] - (t0 * t0);
    /* with %6 mul: power rule */
    p13[i0 + 1] = (2.0 * t5);
    /* with %8 mul: sum rule, %9 mul: power rule, %10 mul: power rule */
    p13[i0] += (((-2.0) * t5) * (2.0 * t0));
  }
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  const double* p0 = (const double*)gc_in[0];
  double* p13 = (double*)gc_out[0];
  gc_k0(p0, p13);
  return 0;
}
