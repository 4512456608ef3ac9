/* graphc: inputs x f64[2,3,4], w f32[5]; outputs c f64[2,3,4], last f64[2,3,4], g f32[5] */
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

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p2: %2 = cumsum(axis: 1) %0 : f64[2,3,4]  # c */
static void gc_k0(const double* p0, double* p2) {
  for (long long l = 0; l < 8; l++) {
    const long long base = (l / 4) * 12 + l % 4;
    double acc = 0.0;
    for (long long k = 0; k < 3; k++) {
      acc += p0[base + k * 4];
      p2[base + k * 4] = acc;
    }
  }
}

/* p3: %3 = exp %0 : f64[2,3,4] */
static void gc_k1(const double* p0, double* p3) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 24; i++) {
    /* with %0 input x, %3 exp */
    p3[i] = (gc_exp(p0[i]));
  }
}

/* p4: %4 = cumsum(axis: 2) %3 : f64[2,3,4]  # last */
static void gc_k2(const double* p3, double* p4) {
  for (long long l = 0; l < 6; l++) {
    const long long base = l * 4;
    double acc = 0.0;
    for (long long k = 0; k < 4; k++) {
      acc += p3[base + k];
      p4[base + k] = acc;
    }
  }
}

/* p6: %6 = cumsum(axis: 0, reverse) %5 : f32[5]  # g; cumsum: cumsum from the other end */
static void gc_k3(float* p6) {
  for (long long l = 0; l < 1; l++) {
    const long long base = l * 5;
    double acc = 0.0;
    for (long long k = 4; k >= 0; k--) {
      acc += 1.0;
      p6[base + k] = (float)acc;
    }
  }
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  const double* p0 = (const double*)gc_in[0];
  double* p2 = (double*)gc_out[0];
  double* p3 = (double*)(gc_a + 0);
  double* p4 = (double*)gc_out[1];
  float* p6 = (float*)gc_out[2];
  gc_k0(p0, p2);
  gc_k1(p0, p3);
  gc_k2(p3, p4);
  gc_k3(p6);
  return 0;
}
