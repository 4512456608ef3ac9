/* graphc: inputs table f32[10,4], tokens i32[3]; outputs g f32[10,4] */
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

float expf(float);

/* exp, log and tanh as kernels call them. A build that defines GC_FAST_MATH first
 * (graphc's optimising cc backend, which puts kernels/fastmath.h in front of this file)
 * gets the inline, vectorisable versions. Otherwise exp and log are libm's, and tanh is
 * computed from exp: glibc's tanhf costs about three expf calls. For |x| >= 0.55,
 * tanh(x) = 1 - 2/(1 + exp(2|x|)) with the sign of x, within 3 ulp (no cancellation, as the
 * result is at least 0.5); below 0.55 that formula would cancel, so f32 uses its Taylor
 * series (as fastmath.h, within 3 ulp) and f64 calls libm. NaN passes through exp. */
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

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* the indices of %2 = take(axis: 0, for: take) %0, %1 : f32[3,4], read in place */
static int gc_k0(const int* p1, long long* gc_fault) {
  for (long long j = 0; j < 3; j++) {
    const long long v = p1[j];
    if (v < -10 || v >= 10) {
      gc_fault[0] = v;
      gc_fault[1] = j;
      return 1;
    }
  }
  return 0;
}

/* p6: %6 = sub %4, %5 : f32[3,4]  # chain rule through tanh */
static void gc_k1(const float* p0, const int* p1, float* p6) {
  for (long long i0 = 0; i0 < 3; i0++) {
    const long long o0 = ((p1[i0] < 0 ? p1[i0] + 10 : p1[i0])) * 4;
    const long long o1 = i0 * 4;
    #ifdef GC_SIMD
    #pragma omp simd
    #endif
    for (long long i1 = 0; i1 < 4; i1++) {
      /* t3: tanh */
      const float t3 = gc_tanhf(p0[o0 + i1]);
      /* with %5 mul: chain rule through tanh, %6 sub: chain rule through tanh */
      p6[o1 + i1] = (1.0f - (t3 * t3));
    }
  }
}

/* p7: %7 = scatter_add(axis: 0, for: take) %6, %1 : f32[10,4]  # g; take: scatter-add back */
static int gc_k2(const int* p1, const float* p6, float* p7, long long* gc_fault) {
  for (long long j = 0; j < 3; j++) {
    const long long v = p1[j];
    if (v < -10 || v >= 10) {
      gc_fault[0] = v;
      gc_fault[1] = j;
      return 2;
    }
  }
  for (long long e = 0; e < 40; e++) p7[e] = 0.0f;
  for (long long o = 0; o < 1; o++) {
    for (long long j = 0; j < 3; j++) {
      const long long i = p1[j];
      const long long v = i < 0 ? i + 10 : i;
      const float* src = p6 + (o * 3 + j) * 4;
      float* dst = p7 + (o * 10 + v) * 4;
      for (long long t = 0; t < 4; t++) dst[t] += src[t];
    }
  }
  return 0;
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  long long* gc_fault = (long long*)(gc_a + 64);
  int gc_status;
  const float* p0 = (const float*)gc_in[0];
  const int* p1 = (const int*)gc_in[1];
  float* p6 = (float*)(gc_a + 0);
  float* p7 = (float*)gc_out[0];
  gc_status = gc_k0(p1, gc_fault);
  if (gc_status != 0) return gc_status;
  gc_k1(p0, p1, p6);
  gc_status = gc_k2(p1, p6, p7, gc_fault);
  if (gc_status != 0) return gc_status;
  return 0;
}
