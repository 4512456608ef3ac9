/// Vectorisable exp, log, tanh and sigmoid for the optimising cc backend.
///
/// Byte-identical to `kernels/fastmath.h` (a test keeps them equal), where the methods and
/// their accuracy (at most 3 ulp, checked by Tests/KernelsTests) are documented. The cc
/// backend puts `#define GC_FAST_MATH 1` and this text in front of the program, so the
/// prelude's `gc_exp`, `gc_log` and `gc_tanh` names map to these inline functions: loops
/// that call them vectorise under `-O3 -march=native`. Needs IEEE round-to-nearest and no
/// `-ffast-math`.
public enum FastMath {
  /// The text of `kernels/fastmath.h`.
  public static let text = """
    /* graphc fast math: exp, log, tanh and sigmoid in float and double, written so that an
     * optimising C compiler (-O3 -march=native, no -ffast-math) can vectorise loops that call
     * them: no calls, no table lookups, only selects instead of branches.
     *
     * Accuracy, measured against glibc over the whole range by Tests/KernelsTests (maximum
     * error in units in the last place; glibc's own functions are within 1 ulp):
     *   exp: at most 2 ulp (float and double), correctly signed infinities, NaN kept, results
     *        that underflow fall smoothly into the subnormals and then to +0.
     *   log: at most 2 ulp; log(0) = -inf, log(x<0) = NaN, log(inf) = inf, subnormal inputs exact.
     *   tanh: at most 3 ulp; odd; tanh(±inf) = ±1; tiny x gives x.
     *   sigmoid: at most 3 ulp, including the far negative tail, where 1/(1+exp(-x)) would lose
     *        everything: sigmoid(x) = e/(1+e) with e = exp(x) for x < 0.
     * The rounding trick k = (v + 1.5*2^23) - 1.5*2^23 needs IEEE round-to-nearest and no
     * -ffast-math (which would fold it away).
     *
     * The method: exp(x) = 2^k * exp(r), x = k*ln2 + r, |r| <= ln2/2, with ln2 split in a
     * short high part (so k*ln2_hi is exact) and a low part (Cody and Waite), exp(r) by its
     * Taylor series, and 2^k applied as two factors 2^(k/2) * 2^(k-k/2) so that results near
     * the overflow and underflow thresholds are not lost. log(x) = e*ln2 + log(m) with
     * m in [sqrt(1/2), sqrt(2)), log(m) = 2*atanh(s), s = (m-1)/(m+1), by its odd series.
     * tanh uses its Taylor series below 0.55 (where 1 - 2/(1+exp(2x)) would cancel) and
     * that formula above. */
    #ifndef GC_FASTMATH_H
    #define GC_FASTMATH_H

    typedef union { float f; int i; } gc_bits32;
    typedef union { double f; long long i; } gc_bits64;

    static inline float gc_fast_expf(float x) {
      float c = x > -104.0f ? x : -104.0f; /* NaN takes -104 here and is restored at the end */
      c = c < 89.0f ? c : 89.0f;
      float k = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
      float r = (c - k * 0.693145751953125f) - k * 1.42860682030941723212e-6f;
      float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f
                + r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
      int ki = (int)k, k1 = ki / 2, k2 = ki - k1;
      gc_bits32 s1, s2;
      s1.i = (k1 + 127) << 23;
      s2.i = (k2 + 127) << 23;
      float y = p * s1.f * s2.f;
      return x != x ? x : y;
    }

    static inline double gc_fast_exp(double x) {
      double c = x > -746.0 ? x : -746.0;
      c = c < 710.0 ? c : 710.0;
      double k = (c * 1.4426950408889634 + 6755399441055744.0) - 6755399441055744.0;
      double r = (c - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
      double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
                 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880
                 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
                 + r * (1.0 / 6227020800.0)))))))))))));
      long long ki = (long long)k, k1 = ki / 2, k2 = ki - k1;
      gc_bits64 s1, s2;
      s1.i = (k1 + 1023) << 52;
      s2.i = (k2 + 1023) << 52;
      double y = p * s1.f * s2.f;
      return x != x ? x : y;
    }

    static inline float gc_fast_logf(float x) {
      int tiny = x < 1.17549435e-38f; /* subnormal (or zero/negative): scale by 2^23 first */
      gc_bits32 u;
      u.f = tiny ? x * 8388608.0f : x;
      int e = ((u.i >> 23) & 0xff) - 127 - (tiny ? 23 : 0);
      u.i = (u.i & 0x007fffff) | 0x3f800000;
      float m = u.f;
      int high = m > 1.41421356f;
      m = high ? m * 0.5f : m;
      float fe = (float)(e + high);
      float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
      float series = s2 * (0.333333343f + s2 * (0.2f + s2 * (0.142857149f + s2 * 0.111111112f)));
      float y = fe * 0.693145751953125f + (2.0f * s + (2.0f * s * series + fe * 1.42860682030941723212e-6f));
      float inf = 1.0f / 0.0f;
      y = x == inf ? x : y;
      y = x == 0.0f ? -inf : y;
      return x < 0.0f || x != x ? (x - x) / (x - x) : y;
    }

    static inline double gc_fast_log(double x) {
      int tiny = x < 2.2250738585072014e-308;
      gc_bits64 u;
      u.f = tiny ? x * 4503599627370496.0 : x;
      long long e = ((u.i >> 52) & 0x7ff) - 1023 - (tiny ? 52 : 0);
      u.i = (u.i & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
      double m = u.f;
      int high = m > 1.4142135623730951;
      m = high ? m * 0.5 : m;
      double fe = (double)(e + high);
      double s = (m - 1.0) / (m + 1.0), s2 = s * s;
      double series = s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11
                      + s2 * (1.0 / 13 + s2 * (1.0 / 15 + s2 * (1.0 / 17 + s2 * (1.0 / 19
                      + s2 * (1.0 / 21))))))))));
      double y = fe * 0.6931471803691238 + (2.0 * s + (2.0 * s * series + fe * 1.9082149292705877e-10));
      double inf = 1.0 / 0.0;
      y = x == inf ? x : y;
      y = x == 0.0 ? -inf : y;
      return x < 0.0 || x != x ? (x - x) / (x - x) : y;
    }

    static inline float gc_fast_tanhf(float x) {
      float a = x < 0.0f ? -x : x, x2 = x * x;
      float small = x + x * x2 * (-0.333333343f + x2 * (0.133333340f + x2 * (-0.0539682544f
                    + x2 * (0.0218694881f + x2 * (-0.00886323582f + x2 * (0.00359212812f
                    + x2 * (-0.00145583437f + x2 * 0.000590027450f)))))));
      float big = 1.0f - 2.0f / (1.0f + gc_fast_expf(2.0f * a));
      big = x < 0.0f ? -big : big;
      return a < 0.55f ? small : big;
    }

    static inline double gc_fast_tanh(double x) {
      double a = x < 0.0 ? -x : x, x2 = x * x;
      double small = x + x * x2 * (-0.33333333333333333 + x2 * (0.13333333333333333
                     + x2 * (-0.053968253968253968 + x2 * (0.021869488536155203
                     + x2 * (-0.0088632355299021966 + x2 * (0.0035921280365724810
                     + x2 * (-0.0014558343870513183 + x2 * (0.00059002744094558598
                     + x2 * (-0.00023912911424355248 + x2 * (0.000096915379569294503
                     + x2 * (-0.000039278323883316834 + x2 * (0.000015918905069328965
                     + x2 * (-6.4516892156554308e-6 + x2 * (2.6147711512907546e-6
                     + x2 * (-1.0597268320104654e-6 + x2 * (4.2949110782738059e-7
                     + x2 * (-1.7406618963571648e-7 + x2 * (7.0546369464009683e-8
                     + x2 * -2.8591366623052539e-8))))))))))))))))));
      double big = 1.0 - 2.0 / (1.0 + gc_fast_exp(2.0 * a));
      big = x < 0.0 ? -big : big;
      return a < 0.55 ? small : big;
    }

    static inline float gc_fast_sigmoidf(float x) {
      float e = gc_fast_expf(x < 0.0f ? x : -x); /* exp(-|x|), in (0, 1] */
      float s = 1.0f / (1.0f + e);
      return x < 0.0f ? e * s : s;
    }

    static inline double gc_fast_sigmoid(double x) {
      double e = gc_fast_exp(x < 0.0 ? x : -x);
      double s = 1.0 / (1.0 + e);
      return x < 0.0 ? e * s : s;
    }

    #endif

    """

  /// What the cc backend puts in front of a program: the switches (`GC_FAST_MATH` for
  /// these functions, `GC_SIMD` for the kernels' `#pragma omp simd` lines) and the functions.
  public static let preamble = "#define GC_FAST_MATH 1\n#define GC_SIMD 1\n" + text
}
