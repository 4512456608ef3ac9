/* Measures the error of kernels/fastmath.h against the C library: every STEP-th float of
 * the whole range (both signs) and COUNT random doubles per function, plus the
 * special values (the density is an argument: `fastmath_check 61 4000000` is the full run,
 * the test suite uses a sparser one). Prints the worst error per function in ulps and exits non-zero when one
 * is over its documented bound. Build: cc -O2 fastmath_check.c -lm */
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../fastmath.h"

static double ulps_f(float y, double ref) {
  if (isnan(ref)) return isnan(y) ? 0 : 1e9;
  if (isinf(ref)) return (double)y == ref ? 0 : 1e9;
  float rf = (float)ref; /* the correctly rounded float, near enough */
  if (isinf(rf)) return isinf(y) && (y > 0) == (rf > 0) ? 0 : 1e9;
  int e;
  frexp(ref, &e);
  double ulp = ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
  return fabs((double)y - ref) / ulp;
}

static double ulps_d(double y, long double ref) {
  if (isnan(ref)) return isnan(y) ? 0 : 1e9;
  double rd = (double)ref;
  if (isinf(rd)) return isinf(y) && (y > 0) == (rd > 0) ? 0 : 1e9;
  int e;
  frexpl(ref, &e);
  long double ulp = ldexpl(1.0L, (e - 53 < -1074 ? -1074 : e - 53));
  return (double)(fabsl((long double)y - ref) / ulp);
}

static long double sigmoidl(long double x) { return x < 0 ? expl(x) / (1 + expl(x)) : 1 / (1 + expl(-x)); }
static double sigmoid_d(double x) { return x < 0 ? exp(x) / (1 + exp(x)) : 1 / (1 + exp(-x)); }

typedef struct { const char *name; float (*f)(float); double (*ref)(double); double bound; } fcase;
typedef struct { const char *name; double (*f)(double); long double (*ref)(long double); double lo, hi, bound; } dcase;

static float f_exp(float x) { return gc_fast_expf(x); }
static float f_log(float x) { return gc_fast_logf(x); }
static float f_tanh(float x) { return gc_fast_tanhf(x); }
static float f_sig(float x) { return gc_fast_sigmoidf(x); }
static double d_exp(double x) { return gc_fast_exp(x); }
static double d_log(double x) { return gc_fast_log(x); }
static double d_tanh(double x) { return gc_fast_tanh(x); }
static double d_sig(double x) { return gc_fast_sigmoid(x); }

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(int argc, char **argv) {
  unsigned long long step = argc > 1 ? strtoull(argv[1], 0, 10) : 61;
  int count = argc > 2 ? atoi(argv[2]) : 4000000;
  if (step == 0) step = 61;
  int failed = 0;
  fcase fc[] = {{"expf", f_exp, exp, 2}, {"logf", f_log, log, 2}, {"tanhf", f_tanh, tanh, 3},
                {"sigmoidf", f_sig, sigmoid_d, 3}};
  for (int c = 0; c < 4; c++) {
    double worst = 0;
    float at = 0;
    for (unsigned long long bits = 0; bits <= 0xffffffffULL; bits += step) {
      unsigned int b = (unsigned int)bits;
      float x;
      memcpy(&x, &b, 4);
      double err = ulps_f(fc[c].f(x), fc[c].ref((double)x));
      if (err > worst) { worst = err; at = x; }
    }
    printf("%-9s max %.3f ulp at %a\n", fc[c].name, worst, at);
    failed |= worst > fc[c].bound;
  }
  dcase dc[] = {{"exp", d_exp, expl, -760, 720, 2}, {"log", d_log, logl, 0, 0, 2},
                {"tanh", d_tanh, tanhl, -25, 25, 3}, {"sigmoid", d_sig, sigmoidl, -760, 60, 3}};
  for (int c = 0; c < 4; c++) {
    double worst = 0, at = 0;
    for (int i = 0; i < count; i++) {
      double x;
      if (i % 2 == 0 || dc[c].lo == dc[c].hi) {
        unsigned long long b = next();
        memcpy(&x, &b, 8); /* any double at all, every exponent */
      } else {
        x = dc[c].lo + (dc[c].hi - dc[c].lo) * ((double)(next() >> 11) * 0x1p-53);
      }
      double err = ulps_d(dc[c].f(x), dc[c].ref((long double)x));
      if (err > worst) { worst = err; at = x; }
    }
    printf("%-9s max %.3f ulp at %a\n", dc[c].name, worst, at);
    failed |= worst > dc[c].bound;
  }
  /* Special values, exactly. */
  float inf = 1.0f / 0.0f, nan = 0.0f / 0.0f;
  int specials = gc_fast_expf(inf) == inf && gc_fast_expf(-inf) == 0 && isnan(gc_fast_expf(nan))
    && gc_fast_logf(0) == -inf && isnan(gc_fast_logf(-1)) && gc_fast_logf(inf) == inf && isnan(gc_fast_logf(nan))
    && gc_fast_tanhf(inf) == 1 && gc_fast_tanhf(-inf) == -1 && isnan(gc_fast_tanhf(nan)) && gc_fast_tanhf(1e-30f) == 1e-30f
    && gc_fast_sigmoidf(inf) == 1 && gc_fast_sigmoidf(-inf) == 0 && isnan(gc_fast_sigmoidf(nan))
    && gc_fast_exp(1.0 / 0.0) == 1.0 / 0.0 && gc_fast_exp(-1.0 / 0.0) == 0 && gc_fast_log(0) == -1.0 / 0.0
    && isnan(gc_fast_log(-2)) && gc_fast_tanh(-1.0 / 0.0) == -1 && gc_fast_sigmoid(-1.0 / 0.0) == 0
    && gc_fast_exp(0) == 1 && gc_fast_log(1) == 0 && gc_fast_expf(0) == 1 && gc_fast_logf(1) == 0;
  printf("special values %s\n", specials ? "ok" : "WRONG");
  failed |= !specials;
  printf("%s\n", failed ? "FAIL" : "PASS");
  return failed;
}
