"""Exact bounds on a corpus's label-error rate from a reviewed sample, and the sample sizes they need.

Two exact methods, one-sided (certification only asks "is the error rate at most p?"):
- binomial: Clopper–Pearson, the upper end of the exact interval for a binomial proportion; it treats
  the corpus as infinite, so it is slightly conservative for a finite one (the default);
- hypergeometric: the exact bound for drawing without replacement from a corpus of `population`
  items (finite-population correction); it needs a little less listening on small corpora.
"""

from __future__ import annotations

import math

from scipy.stats import beta, hypergeom

METHODS = ("binomial", "hypergeometric")


def _check(errors: int, n: int, confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence}")
    if n < 0 or not 0 <= errors <= n:
        raise ValueError(f"need 0 <= errors <= n; got errors={errors}, n={n}")


def clopper_pearson_upper(errors: int, n: int, confidence: float) -> float:
    """One-sided exact upper bound on the error rate after `errors` wrong in `n` reviewed."""
    _check(errors, n, confidence)
    if errors == n:
        return 1.0
    return float(beta.ppf(confidence, errors + 1, n - errors))


def clopper_pearson_interval(errors: int, n: int, confidence: float) -> tuple[float, float]:
    """Two-sided exact interval (each tail (1 - confidence) / 2), for reports."""
    _check(errors, n, confidence)
    tail = (1 - confidence) / 2
    lower = 0.0 if errors == 0 else float(beta.ppf(tail, errors, n - errors + 1))
    upper = 1.0 if errors == n else float(beta.ppf(1 - tail, errors + 1, n - errors))
    return lower, upper


def hypergeometric_upper(errors: int, n: int, population: int, confidence: float) -> float:
    """One-sided exact upper bound on the error rate of a corpus of `population` items, `n` of them
    drawn without replacement and reviewed: the largest D (as D / population) for which seeing
    `errors` or fewer wrong items would still not be surprising (probability > 1 - confidence)."""
    _check(errors, n, confidence)
    if not n <= population:
        raise ValueError(f"sample n={n} is larger than the population {population}")
    alpha = 1 - confidence
    lo, hi = errors, population - (n - errors)  # D can be neither below what we saw nor above what is left
    while lo < hi:  # P(X <= errors) falls as D grows: find the last D where it is still > alpha
        mid = (lo + hi + 1) // 2
        if hypergeom.cdf(errors, population, mid, n) > alpha:
            lo = mid
        else:
            hi = mid - 1
    return lo / population


def upper_bound(
    errors: int, n: int, confidence: float, method: str = "binomial", population: int | None = None
) -> float:
    if method == "binomial":
        return clopper_pearson_upper(errors, n, confidence)
    if method == "hypergeometric":
        if population is None:
            raise ValueError("the hypergeometric bound needs the population (corpus) size")
        return hypergeometric_upper(errors, n, population, confidence)
    raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")


def sample_size(
    max_error: float,
    confidence: float,
    allowed_errors: int = 0,
    method: str = "binomial",
    population: int | None = None,
) -> int:
    """The smallest n such that finding at most `allowed_errors` wrong items in a sample of n proves,
    at `confidence`, that the error rate is at most `max_error`. With a population, never more than it
    (a census of a small corpus certifies whatever the target, if few enough errors are found)."""
    if not 0 < max_error < 1:
        raise ValueError(f"max_error must be in (0, 1); got {max_error}")
    if allowed_errors < 0:
        raise ValueError(f"allowed_errors must be >= 0; got {allowed_errors}")
    _check(0, 0, confidence)

    def certifies(n: int) -> bool:
        return upper_bound(allowed_errors, n, confidence, method, population) <= max_error

    ceiling = population if population is not None else None
    if ceiling is not None and allowed_errors >= ceiling:
        return ceiling
    hi = allowed_errors + 1
    while not certifies(hi):  # the bound falls as n grows: bracket, then bisect
        if ceiling is not None and hi >= ceiling:
            return ceiling
        hi = min(hi * 2, ceiling) if ceiling is not None else hi * 2
    lo = allowed_errors  # certifies(lo) is false: with n = errors the bound is 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if certifies(mid):
            hi = mid
        else:
            lo = mid
    return hi


def zero_error_sample_size(max_error: float, confidence: float) -> int:
    """The binomial n for no errors in closed form: (1 - p)^n <= 1 - confidence."""
    return math.ceil(math.log(1 - confidence) / math.log(1 - max_error))
