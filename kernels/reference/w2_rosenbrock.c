/* W2 by hand: value and gradient of the extended Rosenbrock function in f64,
 *   f(x) = sum_{i<n-1} 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2
 * With a = x[i+1] - x[i]^2 and b = 1 - x[i], each term adds
 *   df/dx[i]   += -400*a*x[i] - 2*b,    df/dx[i+1] += 200*a. */
double ref_w2(const double *x, long n, double *grad) {
  double f = 0.0;
  for (long i = 0; i < n; i++) grad[i] = 0.0;
  for (long i = 0; i + 1 < n; i++) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
    grad[i] += -400.0 * a * x[i] - 2.0 * b;
    grad[i + 1] += 200.0 * a;
  }
  return f;
}
