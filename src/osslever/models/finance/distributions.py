"""Uncertain inputs: fixed, triangular, uniform and lognormal distributions.

A scenario writes an input as a plain number (fixed) or as one of::

    {triangular: [low, mode, high]}
    {uniform: [low, high]}
    {lognormal: {median: m, p90: x}}     # or {mu: μ, sigma: σ} of the underlying normal
    {fixed: x}

Each distribution samples vectorised (numpy Generator) and has a closed-form
quantile function, used for the tornado swings (P10/P90), for "largest of n
customers" draws, and for placing customers in price tiers by their usage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

Z90 = float(ndtri(0.9))  # 1.2815515655446004


@dataclass(frozen=True)
class Dist:
    kind: str  # fixed | triangular | uniform | lognormal
    a: float  # fixed value | low | low | mu
    b: float = 0.0  # - | mode | high | sigma
    c: float = 0.0  # - | high | - | -

    # --- sampling -------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.kind == "fixed":
            return np.full(n, self.a)
        if self.kind == "triangular":
            if self.a == self.c:
                return np.full(n, self.a)
            return rng.triangular(self.a, self.b, self.c, n)
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, n)
        return rng.lognormal(self.a, self.b, n)

    # --- quantiles -------------------------------------------------------------------
    def quantile(self, q: np.ndarray | float) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        if self.kind == "fixed":
            return np.full(q.shape, self.a)
        if self.kind == "uniform":
            return self.a + (self.b - self.a) * q
        if self.kind == "lognormal":
            return np.exp(self.a + self.b * ndtri(np.clip(q, 1e-300, 1 - 1e-16)))
        low, mode, high = self.a, self.b, self.c
        if high == low:
            return np.full(q.shape, low)
        f = (mode - low) / (high - low)
        left = low + np.sqrt(q * (high - low) * (mode - low))
        right = high - np.sqrt((1 - q) * (high - low) * (high - mode))
        return np.where(q < f, left, right)

    def cdf(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.kind == "fixed":
            return (x >= self.a).astype(float)
        if self.kind == "uniform":
            return np.clip((x - self.a) / (self.b - self.a), 0.0, 1.0)
        if self.kind == "lognormal":
            with np.errstate(divide="ignore"):
                return ndtr((np.log(np.maximum(x, 1e-300)) - self.a) / self.b)
        low, mode, high = self.a, self.b, self.c
        if high == low:
            return (x >= low).astype(float)
        span = high - low
        left = np.where(mode > low, (x - low) ** 2 / (span * max(mode - low, 1e-300)), 1.0)
        right = 1 - np.where(high > mode, (high - x) ** 2 / (span * max(high - mode, 1e-300)), 0.0)
        return np.where(x <= low, 0.0, np.where(x >= high, 1.0, np.where(x <= mode, left, right)))

    @property
    def mean(self) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "triangular":
            return (self.a + self.b + self.c) / 3
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        return math.exp(self.a + self.b**2 / 2)

    @property
    def median(self) -> float:
        return float(self.quantile(0.5))

    @property
    def is_fixed(self) -> bool:
        return (
            self.kind == "fixed"
            or (self.kind == "triangular" and self.a == self.c)
            or (self.kind == "uniform" and self.a == self.b)
            or (self.kind == "lognormal" and self.b == 0)
        )

    def describe(self) -> object:
        """The JSON form a user would write back into a scenario."""
        if self.kind == "fixed":
            return self.a
        if self.kind == "triangular":
            return {"triangular": [self.a, self.b, self.c]}
        if self.kind == "uniform":
            return {"uniform": [self.a, self.b]}
        return {"lognormal": {"median": round(math.exp(self.a), 10), "p90": round(math.exp(self.a + self.b * Z90), 10)}}


def fixed(x: float) -> Dist:
    return Dist("fixed", float(x))


def parse(spec: object) -> Dist:
    """Build a distribution; ValueError(reason) when the spec is malformed."""
    if isinstance(spec, bool):
        raise ValueError("a number or a distribution")
    if isinstance(spec, int | float):
        if not math.isfinite(spec):
            raise ValueError("finite")
        return fixed(spec)
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ValueError("one key")
    ((kind, args),) = spec.items()
    if kind == "fixed":
        return parse(args)
    if kind == "triangular":
        low, mode, high = _numbers(args, 3)
        if not low <= mode <= high:
            raise ValueError("low ≤ mode ≤ high")
        return Dist("triangular", low, mode, high)
    if kind == "uniform":
        low, high = _numbers(args, 2)
        if not low <= high:
            raise ValueError("low ≤ high")
        return Dist("uniform", low, high)
    if kind == "lognormal":
        if not isinstance(args, dict):
            raise ValueError("lognormal needs {median, p90} or {mu, sigma}")
        if set(args) == {"median", "p90"}:
            median, p90 = _numbers([args["median"], args["p90"]], 2)
            if median <= 0 or p90 < median:
                raise ValueError("0 < median ≤ p90")
            return Dist("lognormal", math.log(median), (math.log(p90) - math.log(median)) / Z90)
        if set(args) == {"mu", "sigma"}:
            mu, sigma = _numbers([args["mu"], args["sigma"]], 2)
            if sigma < 0:
                raise ValueError("sigma ≥ 0")
            return Dist("lognormal", mu, sigma)
        raise ValueError("lognormal needs {median, p90} or {mu, sigma}")
    raise ValueError(f"unknown distribution '{kind}'")


def _numbers(args: object, n: int) -> list[float]:
    if not isinstance(args, list | tuple) or len(args) != n:
        raise ValueError(f"a list of {n} numbers")
    out = []
    for x in args:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ValueError(f"a list of {n} numbers")
        out.append(float(x))
    return out
