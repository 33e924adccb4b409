"""The certification maths against known values: published Clopper–Pearson intervals, the
zero-failure sample size (149 for 2% at 95%), and the defining property of each bound."""

import math

import pytest
from scipy.stats import beta, hypergeom

from synth.review.stats import (
    clopper_pearson_interval,
    clopper_pearson_upper,
    hypergeometric_upper,
    sample_size,
    upper_bound,
    zero_error_sample_size,
)


def test_zero_errors_two_percent_at_95_needs_149():
    assert sample_size(0.02, 0.95) == 149 == zero_error_sample_size(0.02, 0.95)
    assert clopper_pearson_upper(0, 149, 0.95) <= 0.02 < clopper_pearson_upper(0, 148, 0.95)
    assert clopper_pearson_upper(0, 149, 0.95) == pytest.approx(1 - 0.05 ** (1 / 149))


@pytest.mark.parametrize(
    "errors, n, lower, upper",
    [
        # Two-sided 95% exact intervals as published (e.g. Clopper & Pearson 1934 tables; Newcombe 1998).
        (0, 10, 0.0, 0.3085),
        (5, 10, 0.1871, 0.8129),
        (3, 100, 0.0062, 0.0852),
        (10, 10, 0.6915, 1.0),
    ],
)
def test_clopper_pearson_matches_published_intervals(errors, n, lower, upper):
    lo, hi = clopper_pearson_interval(errors, n, 0.95)
    assert lo == pytest.approx(lower, abs=1e-4) and hi == pytest.approx(upper, abs=1e-4)


def test_one_sided_upper_bound_matches_the_beta_quantile_and_the_rule_of_three():
    for errors, n in [(0, 50), (1, 236), (4, 400), (7, 1000)]:
        assert clopper_pearson_upper(errors, n, 0.95) == pytest.approx(beta.ppf(0.95, errors + 1, n - errors))
    assert clopper_pearson_upper(0, 3000, 0.95) == pytest.approx(3 / 3000, rel=0.01)  # "rule of three"
    assert clopper_pearson_upper(5, 5, 0.95) == 1.0


@pytest.mark.parametrize("allowed, expected", [(0, 149), (1, 236), (2, 313)])
def test_sample_size_allowing_errors_is_the_smallest_that_certifies(allowed, expected):
    n = sample_size(0.02, 0.95, allowed)
    assert n == expected
    assert clopper_pearson_upper(allowed, n, 0.95) <= 0.02 < clopper_pearson_upper(allowed, n - 1, 0.95)


def test_hypergeometric_bound_for_a_finite_corpus():
    # 10,000 utterances: 147 clips, none wrong, rule out 201 or more wrong ones (> 2%) at 95%.
    n = sample_size(0.02, 0.95, method="hypergeometric", population=10_000)
    assert n == 147
    assert hypergeom.pmf(0, 10_000, 201, n) <= 0.05 < hypergeom.pmf(0, 10_000, 201, n - 1)
    assert hypergeometric_upper(0, n, 10_000, 0.95) == 0.02
    # The finite-population bound is never looser than the binomial one.
    for errors, size in [(0, 100), (2, 300), (5, 600)]:
        assert hypergeometric_upper(errors, size, 1000, 0.95) <= clopper_pearson_upper(errors, size, 0.95) + 1e-3
    # A census knows the answer exactly.
    assert hypergeometric_upper(3, 500, 500, 0.95) == 3 / 500
    assert sample_size(0.02, 0.95, method="hypergeometric", population=60) <= 60


def test_fraction_of_a_10000_utterance_corpus_to_hear():
    assert sample_size(0.02, 0.95) / 10_000 == pytest.approx(0.0149)
    assert sample_size(0.02, 0.95, method="hypergeometric", population=10_000) / 10_000 == pytest.approx(0.0147)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="confidence"):
        clopper_pearson_upper(0, 10, 1.5)
    with pytest.raises(ValueError, match="errors <= n"):
        clopper_pearson_upper(11, 10, 0.95)
    with pytest.raises(ValueError, match="max_error"):
        sample_size(0, 0.95)
    with pytest.raises(ValueError, match="population"):
        upper_bound(0, 10, 0.95, "hypergeometric")
    with pytest.raises(ValueError, match="unknown method 'bayes'"):
        upper_bound(0, 10, 0.95, "bayes")
    assert math.isclose(upper_bound(0, 10, 0.95), clopper_pearson_upper(0, 10, 0.95))
