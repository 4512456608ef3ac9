/* graphc: inputs x f32[40000]; outputs f f32 */
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
static inline void gc_run(gc_parallel_for par, void* ctx, gc_kernel k, void* const* b,
                          long long n) {
  if (par) {
    par(ctx, k, b, n);
  } else {
    k(b, 0, n);
  }
}

/* p2: %2 = sum(axes: [0]) %1 : f32  # f */
static void gc_k0(const float* p0, double* part0, long long gc_lo, long long gc_hi) {
  for (long long c = gc_lo; c < gc_hi; c++) {
    const long long lo = c * 32768;
    const long long hi = lo + 32768 < 40000 ? lo + 32768 : 40000;
    double acc2 = 0.0;
    #ifdef GC_SIMD
    #pragma omp simd reduction(+ : acc2)
    #endif
    for (long long i = lo; i < hi; i++) {
      /* t0: input x */
      const float t0 = p0[i];
      /* with %1 mul */
      acc2 += (t0 * t0);
    }
    part0[c * 1 + 0] = acc2;
  }
}

static void gc_k0_range(void* const* b, long long lo, long long hi) {
  gc_k0((const float*)b[0], (double*)b[1], lo, hi);
}

static void gc_k0_combine(float* p2, const double* part0) {
  double acc2 = part0[0];
  for (long long c = 1; c < 2; c++) {
    const double v = part0[c * 1 + 0];
    acc2 += v;
  }
  p2[0] = (float)acc2;
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  const float* p0 = (const float*)gc_in[0];
  float* p2 = (float*)gc_out[0];
  double* part0 = (double*)(gc_a + 0);
  void* const gc_k0_buffers[] = {(void*)p0, (void*)part0};
  gc_run(gc_par, gc_par_ctx, gc_k0_range, gc_k0_buffers, 2);
  gc_k0_combine(p2, part0);
  return 0;
}
