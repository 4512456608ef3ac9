#!/usr/bin/env python3
"""Writes linear-regression.csv for linear-regression.graph: 256 points (x, y) with
x uniform in [-1, 1) and y = 3x + 2 + noise, the noise uniform in [-0.1, 0.1).

Deterministic (Python's Mersenne Twister with seed 0), standard library only:
    python3 Examples/make-linear-regression-data.py > Examples/linear-regression.csv
"""
import random

rng = random.Random(0)
print("x,y")
for _ in range(256):
    x = rng.uniform(-1, 1)
    y = 3 * x + 2 + rng.uniform(-0.1, 0.1)
    print(f"{x!r},{y!r}")
