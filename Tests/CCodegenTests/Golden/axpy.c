/* graphc: inputs w f32[5], g f32[5], lr f32; outputs next f32[5] */
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

/* Matrix products call CBLAS (OpenBLAS) when graphc runs the code, as do `a - b * s` updates
 * (copy and axpy) and column sums (gemv with a vector of ones); the standalone export writes
 * loops instead and never calls these.
 * The enumerations are plain ints here: 101 is row-major, 111 no transpose, 112 transpose. */
void cblas_scopy(int n, const float* x, int incx, float* y, int incy);
void cblas_saxpy(int n, float alpha, const float* x, int incx, float* y, int incy);

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p5: %5 = sub %0, %4 : f32[5]  # next */
static void gc_k0(const float* p0, const float* p1, const float* p2, float* p5) {
  /* p5 = p0 - p1 * p2[0] as a BLAS copy and axpy */
  cblas_scopy(5, p0, 1, p5, 1);
  cblas_saxpy(5, -p2[0], p1, 1, p5, 1);
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  const float* p0 = (const float*)gc_in[0];
  const float* p1 = (const float*)gc_in[1];
  const float* p2 = (const float*)gc_in[2];
  float* p5 = (float*)gc_out[0];
  gc_k0(p0, p1, p2, p5);
  return 0;
}
