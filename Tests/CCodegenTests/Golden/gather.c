/* graphc: inputs table f32[10,4], tokens i64[2,3]; outputs e f32[2,3,4] */
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

/* p2: %2 = take(axis: 0, for: take) %0, %1 : f32[2,3,4]  # e */
static int gc_k0(const float* p0, const long long* p1, float* p2, long long* gc_fault) {
  for (long long j = 0; j < 6; j++) {
    const long long v = p1[j];
    if (v < -10 || v >= 10) {
      gc_fault[0] = v;
      gc_fault[1] = j;
      return 1;
    }
  }
  for (long long o = 0; o < 1; o++) {
    for (long long j = 0; j < 6; j++) {
      const long long i = p1[j];
      const long long v = i < 0 ? i + 10 : i;
      const float* src = p0 + (o * 10 + v) * 4;
      float* dst = p2 + (o * 6 + j) * 4;
      for (long long t = 0; t < 4; t++) dst[t] = src[t];
    }
  }
  return 0;
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  long long* gc_fault = (long long*)(gc_a + 0);
  int gc_status;
  const float* p0 = (const float*)gc_in[0];
  const long long* p1 = (const long long*)gc_in[1];
  float* p2 = (float*)gc_out[0];
  gc_status = gc_k0(p0, p1, p2, gc_fault);
  if (gc_status != 0) return gc_status;
  return 0;
}
