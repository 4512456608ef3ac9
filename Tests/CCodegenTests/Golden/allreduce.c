/* graphc: inputs x f32[6]; outputs y f32[6], total f32 */
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

/* The host's sum over the ranks of a data-parallel run (`allreduce`): replaces the
 * `count` values at `data` (dtype 0: float, 1: double) by their sum over all ranks, the
 * same on every rank, and returns 0, or non-zero when it failed. graphc supplies it; a
 * standalone export defines a replaceable default that does nothing (one process). */
int gc_allreduce(void* data, long long count, int dtype);

/* p2: %2 = mul %1, %0 : f32[6] */
static void gc_k0(const float* p0, float* p2) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 6; i++) {
    /* with %0 input x, %2 mul */
    p2[i] = (2.0f * p0[i]);
  }
}

/* p3: %3 = allreduce %2 : f32[6] */
static int gc_k1(const float* p2, float* p3) {
  for (long long i = 0; i < 6; i++) {
    p3[i] = p2[i];
  }
  return gc_allreduce(p3, 6, 0) == 0 ? 0 : -1;
}

/* p4: %4 = sum(axes: [0]) %3 : f32 */
static void gc_k2(const float* p3, float* p4) {
  double acc4 = 0.0;
  #ifdef GC_SIMD
  #pragma omp simd reduction(+ : acc4)
  #endif
  for (long long i = 0; i < 6; i++) {
    /* with %3 allreduce */
    acc4 += p3[i];
  }
  p4[0] = (float)acc4;
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  int gc_status;
  const float* p0 = (const float*)gc_in[0];
  float* p2 = (float*)(gc_a + 0);
  float* p3 = (float*)gc_out[0];
  float* p4 = (float*)gc_out[1];
  gc_k0(p0, p2);
  gc_status = gc_k1(p2, p3);
  if (gc_status != 0) return gc_status;
  gc_k2(p3, p4);
  return 0;
}
