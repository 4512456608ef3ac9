/* graphc: inputs h0 f64[2], xs f64[3,2], w f64[2]; outputs hT f64[2], g f64[2] */
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
double tanh(double);

/* exp, log and tanh as kernels call them. A build that defines GC_FAST_MATH first
 * (graphc's optimising cc backend, which puts kernels/fastmath.h in front of this file)
 * gets the inline, vectorisable versions. Otherwise exp and log are libm's, and tanh is
 * computed from exp: glibc's tanhf costs about three expf calls. For |x| >= 0.55,
 * tanh(x) = 1 - 2/(1 + exp(2|x|)) with the sign of x, within 3 ulp (no cancellation, as the
 * result is at least 0.5); below 0.55 that formula would cancel, so f32 uses its Taylor
 * series (as fastmath.h, within 3 ulp) and f64 calls libm. NaN passes through exp. */
static inline double gc_tanh(double x) {
  double a = x < 0.0 ? -x : x;
  double t;
  if (a < 0.55) return tanh(x);
  t = 1.0 - 2.0 / (1.0 + exp(2.0 * a));
  return x < 0.0 ? -t : t;
}

/* A kernel that threads may split computes iterations [lo, hi) of its outermost loop,
 * reading and writing the buffers in the table `b` (its parameters, in order). A
 * parallel-for runs a kernel over [0, n), possibly split across threads; gc_run falls
 * back to one serial call without one. */
typedef void (*gc_kernel)(void* const* b, long long lo, long long hi);
typedef void (*gc_parallel_for)(void* ctx, gc_kernel k, void* const* b, long long n);


/* p5: %5 = tanh %4 : f64[2]  # h2 */
/* out1: %0 = input "p0" : f64[2] */
static void gc_k0_body_k0(const double* p0, const double* p1, const double* p2, double* p5,
    double* out1) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 2; i++) {
    /* t0: input p0 */
    const double t0 = p0[i];
    /* with %1 input p1, %2 input p2, %3 mul, %4 add, %5 tanh h2 */
    p5[i] = (gc_tanh((p1[i] + (t0 * p2[i]))));
    out1[i] = t0;
  }
}

static int gc_k0_body(const void* gc_in0, const void* gc_in1, const void* gc_in2, void* gc_out0,
    void* gc_out1, void* gc_arena) {
  (void)gc_arena;
  const double* p0 = (const double*)gc_in0;
  const double* p1 = (const double*)gc_in1;
  const double* p2 = (const double*)gc_in2;
  double* p5 = (double*)gc_out0;
  double* out1 = (double*)gc_out1;
  gc_k0_body_k0(p0, p1, p2, p5, out1);
  return 0;
}

/* p4: %4 = result(0) %3 : f64[2]  # hT */
/* p7: %7 = result(1) %3 : f64[3,2]  # chain rule through a loop (reversed loop) */
static void gc_k0(const double* p0, const double* p1, const double* p2, double* p4, double* p7,
    double* l3_a0, double* l3_b0, double* l3_arena) {
  double* gc_now0 = l3_a0;
  double* gc_next0 = l3_b0;
  for (long long gc_i = 0; gc_i < 2; gc_i++) gc_now0[gc_i] = p0[gc_i];
  for (long long gc_t = 0; gc_t < 3; gc_t++) {
    gc_k0_body(gc_now0, p1 + gc_t * 2, p2, gc_next0, p7 + gc_t * 2, l3_arena);
    double* gc_swap0 = gc_now0; gc_now0 = gc_next0; gc_next0 = gc_swap0;
  }
  for (long long gc_i = 0; gc_i < 2; gc_i++) p4[gc_i] = gc_now0[gc_i];
}

/* p5: %5 = const 1 : f64[3]  # sum: broadcast back */
static void gc_k1(double* p5) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 3; i++) {
    p5[i] = 1.0;
  }
}

/* p6: %6 = const 0 : f64[2]  # chain rule through a loop (reversed loop) */
static void gc_k2(double* p6) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 2; i++) {
    p6[i] = 0.0;
  }
}


/* p16: %16 = mul %5, %15 : f64[2]  # product rule */
/* p18: %18 = add %1, %17 : f64[2] */
static void gc_k3_body_k0(const double* p0, const double* p1, const double* p2, const double* p3,
    const double* p4, const double* p5, double* p16, double* p18) {
  #ifdef GC_SIMD
  #pragma omp simd
  #endif
  for (long long i = 0; i < 2; i++) {
    /* t5: input p5 */
    const double t5 = p5[i];
    /* t2: input p2 */
    const double t2 = p2[i];
    /* t8: tanh h2; with %3 input p3, %6 mul, %7 add */
    const double t8 = gc_tanh((p3[i] + (t2 * t5)));
    /* t15: mul: chain rule through tanh; with %0 input p0,
        %12 add: multivariable chain rule (sum over uses), %13 mul: chain rule through tanh,
        %14 sub: chain rule through tanh */
    const double t15 = (p0[i] + p4[0]) * (1.0 - (t8 * t8));
    /* with %16 mul: product rule */
    p16[i] = (t5 * t15);
    /* with %1 input p1, %17 mul: product rule, %18 add */
    p18[i] = (p1[i] + (t2 * t15));
  }
}

static int gc_k3_body(const void* gc_in0, const void* gc_in1, const void* gc_in2,
    const void* gc_in3, const void* gc_in4, const void* gc_in5, void* gc_out0, void* gc_out1,
    void* gc_arena) {
  (void)gc_arena;
  const double* p0 = (const double*)gc_in0;
  const double* p1 = (const double*)gc_in1;
  const double* p2 = (const double*)gc_in2;
  const double* p3 = (const double*)gc_in3;
  const double* p4 = (const double*)gc_in4;
  const double* p5 = (const double*)gc_in5;
  double* p16 = (double*)gc_out0;
  double* p18 = (double*)gc_out1;
  gc_k3_body_k0(p0, p1, p2, p3, p4, p5, p16, p18);
  return 0;
}

/* p9: %9 = result(1) %8 : f64[2]  # g; chain rule through a loop (reversed loop) */
static void gc_k3(const double* p1, const double* p2, const double* p5, const double* p6,
    const double* p7, double* p9, double* l8_r0, double* l8_a0, double* l8_a1, double* l8_b0,
    double* l8_b1, double* l8_arena) {
  double* gc_now0 = l8_a0;
  double* gc_next0 = l8_b0;
  for (long long gc_i = 0; gc_i < 2; gc_i++) gc_now0[gc_i] = p6[gc_i];
  double* gc_now1 = l8_a1;
  double* gc_next1 = l8_b1;
  for (long long gc_i = 0; gc_i < 2; gc_i++) gc_now1[gc_i] = p6[gc_i];
  for (long long gc_t = 0; gc_t < 3; gc_t++) {
    const long long gc_r = 2 - gc_t;
    gc_k3_body(gc_now0, gc_now1, p7 + gc_r * 2, p1 + gc_r * 2, p5 + gc_r * 1, p2, gc_next0,
        gc_next1, l8_arena);
    double* gc_swap0 = gc_now0; gc_now0 = gc_next0; gc_next0 = gc_swap0;
    double* gc_swap1 = gc_now1; gc_now1 = gc_next1; gc_next1 = gc_swap1;
  }
  for (long long gc_i = 0; gc_i < 2; gc_i++) l8_r0[gc_i] = gc_now0[gc_i];
  for (long long gc_i = 0; gc_i < 2; gc_i++) p9[gc_i] = gc_now1[gc_i];
}

int gc_entry(const void* const* gc_in, void* const* gc_out, void* gc_arena, gc_parallel_for gc_par,
    void* gc_par_ctx) {
  char* gc_a = (char*)gc_arena;
  const double* p0 = (const double*)gc_in[0];
  const double* p1 = (const double*)gc_in[1];
  const double* p2 = (const double*)gc_in[2];
  double* p4 = (double*)gc_out[0];
  double* p5 = (double*)(gc_a + 64);
  double* p6 = (double*)(gc_a + 128);
  double* p7 = (double*)(gc_a + 0);
  double* p9 = (double*)gc_out[1];
  double* l3_a0 = (double*)(gc_a + 64);
  double* l3_b0 = (double*)(gc_a + 128);
  double* l3_arena = (double*)(gc_a + 192);
  double* l8_r0 = (double*)(gc_a + 192);
  double* l8_a0 = (double*)(gc_a + 256);
  double* l8_a1 = (double*)(gc_a + 320);
  double* l8_b0 = (double*)(gc_a + 384);
  double* l8_b1 = (double*)(gc_a + 448);
  double* l8_arena = (double*)(gc_a + 512);
  gc_k0(p0, p1, p2, p4, p7, l3_a0, l3_b0, l3_arena);
  gc_k1(p5);
  gc_k2(p6);
  gc_k3(p1, p2, p5, p6, p7, p9, l8_r0, l8_a0, l8_a1, l8_b0, l8_b1, l8_arena);
  return 0;
}
