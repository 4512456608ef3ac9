/* graphc: inputs x f32[4,3], w f32[3,2], b f32[2]; outputs y f32[4,2] */
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

/* Matrix products call CBLAS (OpenBLAS) when graphc runs the code, as do `a - b * s` updates
 * (copy and axpy) and column sums (gemv with a vector of ones); the standalone export writes
 * loops instead and never calls these.
 * The enumerations are plain ints here: 101 is row-major, 111 no transpose, 112 transpose. */
void cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c,
                 int ldc);

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

/* p5: %5 = add %3, %4 : f32[4,2] */
static void gc_k0(const float* p0, const float* p1, const float* p2, float* p5) {
  for (long long i = 0; i < 4; i++) {
    for (long long j = 0; j < 2; j++) p5[i * 2 + j] = p2[j];
  }
  cblas_sgemm(101, 111, 111, 4, 2, 3, 1.0f, p0, 3, p1, 2, 1.0f, p5, 2);
}

/* p6: %6 = tanh %5 : f32[4,2]  # y */
static void gc_k1(const float* p5, float* p6) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 8; i++) {
    /* with %5 add, %6 tanh y */
    p6[i] = (gc_tanhf(p5[i]));
  }
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  const float* p0 = (const float*)gc_in[0];
  const float* p1 = (const float*)gc_in[1];
  const float* p2 = (const float*)gc_in[2];
  float* p5 = (float*)(gc_a + 0);
  float* p6 = (float*)gc_out[0];
  gc_k0(p0, p1, p2, p5);
  gc_k1(p5, p6);
  return 0;
}
