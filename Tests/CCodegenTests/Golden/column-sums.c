/* graphc: inputs x f64[4,3], y f64[4,3]; outputs p f64[4,3], s f64[3] */
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
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double* a, int lda,
                 const double* x, int incx, double beta, double* y, int incy);

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);

/* p2: %2 = mul %0, %1 : f64[4,3]  # p */
static void gc_k0(const double* p0, const double* p1, double* p2) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 12; i++) {
    /* with %0 input x, %1 input y, %2 mul p */
    p2[i] = (p0[i] * p1[i]);
  }
}

/* p3: %3 = sum(axes: [0]) %2 : f64[3]  # s */
static void gc_k1(const double* p2, double* p3) {
  /* p3 = column sums of p2, as (p2 transposed) times a vector of ones */
  double ones[4];
  for (long long j = 0; j < 4; j++) ones[j] = 1.0;
  cblas_dgemv(101, 112, 4, 3, 1.0, p2, 3, ones, 1, 0.0, p3, 1);
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  const double* p0 = (const double*)gc_in[0];
  const double* p1 = (const double*)gc_in[1];
  double* p2 = (double*)gc_out[0];
  double* p3 = (double*)gc_out[1];
  gc_k0(p0, p1, p2);
  gc_k1(p2, p3);
  return 0;
}
