"""BG/NBD, Gamma-Gamma and lifetime value: formulas, gradients, numerics and inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from guanxi.analytics import clv
from guanxi.analytics.clv import BetaGeoParams, GammaGammaParams

PARAMS = BetaGeoParams(r=0.6, alpha=40.0, a=0.8, b=2.5)
SPEND = GammaGammaParams(p=6.0, q=4.0, gamma=120.0)


def simulate(
    n: int, params: BetaGeoParams, seed: int, max_age: float = 730.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers drawn from the BG/NBD process in continuous time (ages uniform on 1..max_age)."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(1.0, max_age, n)
    rate = rng.gamma(params.r, 1.0 / params.alpha, n)
    alive_purchases = rng.geometric(rng.beta(params.a, params.b, n))
    arrivals = rng.poisson(rate * age)
    frequency = np.minimum(arrivals, alive_purchases)
    recency = np.zeros(n)
    repeat = frequency > 0
    recency[repeat] = age[repeat] * rng.beta(
        frequency[repeat], arrivals[repeat] - frequency[repeat] + 1
    )
    return frequency.astype(np.float64), recency, age


def naive_log_likelihood(
    params: BetaGeoParams, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """FHL 2005 eq. 6 as printed: L = A·(α+T)^−(r+x) + [x>0]·B·(α+t_x)^−(r+x)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    gamma_part = special.gamma(r + x) * alpha**r / special.gamma(r)
    first = special.beta(a, b + x) / special.beta(a, b) * gamma_part / (alpha + age) ** (r + x)
    second = (
        special.beta(a + 1, np.maximum(b + x - 1, 1e-300))
        / special.beta(a, b)
        * gamma_part
        / (alpha + t_x) ** (r + x)
    )
    return np.log(first + np.where(x > 0, second, 0.0))


def hyp2f1_product(r: float, alpha: float, a: float, b: float, x: int, age: float, t: float):
    """((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z) summed term by term (no transformation).

    Every term is positive (no cancellation); they are kept in logs, as the first ones underflow
    and the largest overflow for frequent buyers.
    """
    z = t / (alpha + age + t)
    big_a, big_b, big_c = r + x, b + x, a + b + x - 1
    log_terms = [big_a * math.log1p(-z)]
    n = 0
    while n < 10 or log_terms[-1] > max(log_terms) - 45:
        log_terms.append(
            log_terms[-1] + math.log((big_a + n) * (big_b + n) / ((big_c + n) * (n + 1)) * z)
        )
        n += 1
    top = max(log_terms)
    return math.exp(top) * math.fsum(math.exp(term - top) for term in log_terms)


# ---------------------------------------------------------------------------------------------
# BG/NBD likelihood and fit
# ---------------------------------------------------------------------------------------------


def test_log_likelihood_equals_the_papers_formula() -> None:
    x, t_x, age = simulate(500, PARAMS, seed=3, max_age=100.0)
    x = np.minimum(x, 40)
    t_x = np.where(x > 0, t_x, 0.0)

    stable = clv.bgnbd_log_likelihood(PARAMS, x, t_x, age)

    np.testing.assert_allclose(stable, naive_log_likelihood(PARAMS, x, t_x, age), rtol=1e-10)


@pytest.mark.parametrize(
    "log_params",
    [
        pytest.param([-0.5, 3.7, -0.2, 0.9], id="near_truth_case"),
        pytest.param([0.0, 0.0, 0.0, 0.0], id="start_case"),
        pytest.param([1.2, 5.0, 1.0, -1.0], id="far_case"),
    ],
)
def test_bgnbd_gradient_matches_finite_differences(log_params: list[float]) -> None:
    x, t_x, age = simulate(3000, PARAMS, seed=5)
    (x, t_x, age), weights, _ = clv.distinct_rows((x, t_x, age), np.arange(3000) % 3 + 1.0)
    objective = clv._BetaGeoObjective(x, t_x, age, weights)
    point = np.array(log_params)

    value, gradient = objective(point)
    step = 1e-6
    numeric = [
        (objective(point + step * unit)[0] - objective(point - step * unit)[0]) / (2 * step)
        for unit in np.eye(4)
    ]

    expected_value = (
        -float(weights @ clv.bgnbd_log_likelihood(BetaGeoParams(*np.exp(point)), x, t_x, age))
        / weights.sum()
    )
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)


def test_fit_recovers_the_simulated_parameters() -> None:
    x, t_x, age = simulate(30_000, PARAMS, seed=11)

    fit = clv.bgnbd_fit(x, t_x, age)

    assert fit.convergence.converged
    assert fit.convergence.gradient_norm < 1e-6
    assert fit.params.r == pytest.approx(PARAMS.r, rel=0.05)
    assert fit.params.alpha == pytest.approx(PARAMS.alpha, rel=0.08)
    assert fit.params.a == pytest.approx(PARAMS.a, rel=0.10)
    assert fit.params.b == pytest.approx(PARAMS.b, rel=0.12)
    assert fit.customers == 30_000
    assert fit.log_likelihood == pytest.approx(
        float(clv.bgnbd_log_likelihood(fit.params, x, t_x, age).sum()), rel=1e-12
    )


def test_weights_count_identical_customers() -> None:
    x, t_x, age = simulate(400, PARAMS, seed=2, max_age=50.0)
    t_x, age = np.round(t_x), np.round(age) + 1
    weights = np.arange(400) % 4 + 1
    expanded = (np.repeat(x, weights), np.repeat(t_x, weights), np.repeat(age, weights))

    weighted = clv.bgnbd_fit(x, t_x, age, weights=weights, group=False)
    raw = clv.bgnbd_fit(*expanded, group=False)
    grouped = clv.bgnbd_fit(*expanded)

    assert grouped.customers == raw.customers == weighted.customers == weights.sum()
    assert grouped.distinct_rows < 400
    assert raw.distinct_rows == weights.sum()
    for fit in (weighted, grouped):
        assert fit.log_likelihood == pytest.approx(raw.log_likelihood, abs=1e-6)
        for name in ("r", "alpha", "a", "b"):
            assert getattr(fit.params, name) == pytest.approx(getattr(raw.params, name), rel=1e-6)


def test_the_time_unit_only_rescales_alpha() -> None:
    x, t_x, age = simulate(5000, PARAMS, seed=4)

    in_days = clv.bgnbd_fit(x, t_x, age)
    in_weeks = clv.bgnbd_fit(x, t_x / 7, age / 7)

    assert in_weeks.params.alpha == pytest.approx(in_days.params.alpha / 7, rel=1e-6)
    assert in_weeks.params.r == pytest.approx(in_days.params.r, rel=1e-6)
    assert in_weeks.params.b == pytest.approx(in_days.params.b, rel=1e-6)
    # The density of purchase times changes with the unit: ln L gains x·ln 7 per customer.
    assert in_weeks.log_likelihood == pytest.approx(
        in_days.log_likelihood + x.sum() * math.log(7), rel=1e-10
    )


def test_distinct_rows_restores_every_row() -> None:
    x = np.array([1.0, 0.0, 1.0, 2.0, 0.0, 1.0])
    age = np.array([5.0, 3.0, 5.0, 5.0, 3.0, 6.0])
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])

    (distinct_x, distinct_age), summed, inverse = clv.distinct_rows((x, age), weights)

    np.testing.assert_array_equal(distinct_x, [0.0, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(distinct_age, [3.0, 5.0, 6.0, 5.0])
    np.testing.assert_array_equal(summed, [7.0, 4.0, 6.0, 4.0])
    np.testing.assert_array_equal(distinct_x[inverse], x)
    np.testing.assert_array_equal(distinct_age[inverse], age)


def test_unidentified_model_is_reported() -> None:
    # Nobody ever lapses and everybody buys at the same pace: the dropout rate goes to 0.
    age = np.full(200, 100.0)
    x = np.full(200, 10.0)
    t_x = np.full(200, 99.0)

    fit = clv.bgnbd_fit(x, t_x, age)

    assert not fit.convergence.converged
    assert "diverged" in fit.convergence.message


# ---------------------------------------------------------------------------------------------
# Per-customer predictions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "t_x", "age", "t"),
    [
        pytest.param(0, 0.0, 300.0, 90.0, id="one_time_buyer_case"),
        pytest.param(3, 200.0, 300.0, 90.0, id="regular_case"),
        pytest.param(60, 700.0, 710.0, 90.0, id="frequent_case"),
        pytest.param(400, 720.0, 730.0, 365.0, id="very_frequent_case"),
        pytest.param(2000, 725.0, 730.0, 365.0, id="overflowing_2f1_case"),
        pytest.param(5, 100.0, 700.0, 1.0, id="lapsed_short_horizon_case"),
    ],
)
def test_expected_purchases_against_a_term_by_term_series(
    x: int, t_x: float, age: float, t: float
) -> None:
    params = BetaGeoParams(r=0.6, alpha=40.0, a=0.8, b=2.5)
    product = hyp2f1_product(params.r, params.alpha, params.a, params.b, x, age, t)
    bracket = (params.a + params.b + x - 1) / (params.a - 1) * (1 - product)
    alive = clv.bgnbd_probability_alive(params, [x], [t_x], [age])[0]

    purchases = clv.bgnbd_expected_purchases(params, t, [x], [t_x], [age])

    assert purchases[0] == pytest.approx(bracket * alive, rel=1e-10)
    assert np.isfinite(purchases[0])


def test_expected_purchases_where_the_untransformed_2f1_overflows() -> None:
    params = BetaGeoParams(r=0.6, alpha=40.0, a=0.8, b=2.5)
    x, age, t = 2000, 730.0, 365.0
    z = t / (params.alpha + age + t)
    untransformed = special.hyp2f1(params.r + x, params.b + x, params.a + params.b + x - 1, z)

    purchases = clv.bgnbd_expected_purchases(params, t, [x], [725.0], [age])

    assert not np.isfinite(untransformed)
    assert round(float(purchases[0]), 4) == 4.3916


def test_expected_purchases_over_several_horizons() -> None:
    x, t_x, age = simulate(300, PARAMS, seed=8)
    horizons = np.array([0.0, 30.0, 90.0, 365.0])

    purchases = clv.bgnbd_expected_purchases(PARAMS, horizons, x, t_x, age)

    assert purchases.shape == (300, 4)
    np.testing.assert_array_equal(purchases[:, 0], 0.0)
    assert np.all(np.diff(purchases, axis=1) > 0)
    np.testing.assert_allclose(
        purchases[:, 2], clv.bgnbd_expected_purchases(PARAMS, 90.0, x, t_x, age), rtol=1e-14
    )


def test_probability_alive() -> None:
    alive = clv.bgnbd_probability_alive(
        PARAMS, [0, 4, 4, 4], [0.0, 100.0, 300.0, 700.0], [700.0, 700.0, 700.0, 700.0]
    )

    assert alive[0] == 1.0
    assert np.all(np.diff(alive[1:]) > 0)  # the more recent the last purchase, the likelier alive
    expected = 1 / (1 + 0.8 / (2.5 + 4 - 1) * ((40 + 700) / (40 + 100)) ** (0.6 + 4))
    assert alive[1] == pytest.approx(expected, rel=1e-14)


def test_population_expected_purchases_is_the_new_customer_case() -> None:
    population = clv.bgnbd_expected_purchases_population(PARAMS, [90.0, 365.0])
    new_customer = clv.bgnbd_expected_purchases(PARAMS, [90.0, 365.0], [0], [0.0], [0.0])

    np.testing.assert_allclose(population, new_customer[0], rtol=1e-14)
    expected = (
        (PARAMS.a + PARAMS.b - 1)
        / (PARAMS.a - 1)
        * (
            1
            - (PARAMS.alpha / (PARAMS.alpha + 365.0)) ** PARAMS.r
            * special.hyp2f1(PARAMS.r, PARAMS.b, PARAMS.a + PARAMS.b - 1, 365 / (40 + 365))
        )
    )
    assert population[1] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Gamma-Gamma
# ---------------------------------------------------------------------------------------------


def simulate_spend(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 12, n).astype(np.float64)
    scale = 1.0 / rng.gamma(SPEND.q, 1.0 / SPEND.gamma, n)  # ν ~ Gamma(q, γ); z ~ Gamma(p, ν)
    totals = rng.gamma(SPEND.p * x, scale)
    return x, totals / x


def test_gamma_gamma_gradient_matches_finite_differences() -> None:
    x, m = simulate_spend(2000, seed=1)
    objective = clv._GammaGammaObjective(x, m / m.mean(), np.ones(2000))
    point = np.array([1.5, 1.0, 0.5])

    _, gradient = objective(point)
    step = 1e-6
    numeric = [
        (objective(point + step * unit)[0] - objective(point - step * unit)[0]) / (2 * step)
        for unit in np.eye(3)
    ]

    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)


def test_gamma_gamma_fit_recovers_the_simulated_parameters() -> None:
    x, m = simulate_spend(20_000, seed=2)
    x_with_zeros = np.concatenate([x, np.zeros(100)])
    m_with_zeros = np.concatenate([m, np.zeros(100)])

    fit = clv.gamma_gamma_fit(x_with_zeros, m_with_zeros)

    assert fit.convergence.converged
    assert fit.customers == 20_000  # the customers without repeat purchases are skipped
    assert fit.params.p == pytest.approx(SPEND.p, rel=0.05)
    assert fit.params.q == pytest.approx(SPEND.q, rel=0.05)
    assert fit.params.gamma == pytest.approx(SPEND.gamma, rel=0.08)
    assert fit.log_likelihood == pytest.approx(
        float(clv.gamma_gamma_log_likelihood(fit.params, x, m).sum()), rel=1e-12
    )


def test_gamma_gamma_density_integrates_to_one() -> None:
    grid = np.linspace(1e-6, 4000.0, 40_001)
    for x in (1, 3, 10):
        density = np.exp(clv.gamma_gamma_log_likelihood(SPEND, np.full(grid.size, x), grid))
        assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=1e-4)


def test_expected_spend_shrinks_towards_the_population_mean() -> None:
    spend = clv.gamma_gamma_expected_spend(SPEND, [0, 1, 10, 1], [0.0, 400.0, 400.0, 100.0])

    population = SPEND.p * SPEND.gamma / (SPEND.q - 1)
    assert population == SPEND.population_mean == 240.0
    assert spend[0] == population
    assert spend[1] == pytest.approx((120 + 400) * 6 / (6 + 4 - 1), rel=1e-14)
    assert population < spend[1] < spend[2] < 400.0
    assert 100.0 < spend[3] < population


# ---------------------------------------------------------------------------------------------
# Lifetime value
# ---------------------------------------------------------------------------------------------


def test_lifetime_value_sums_discounted_monthly_purchases() -> None:
    x, t_x, age = simulate(50, PARAMS, seed=9)
    spend = np.linspace(100.0, 300.0, 50)
    margin = np.linspace(0.2, 0.6, 50)

    value = clv.lifetime_value(
        PARAMS, x, t_x, age, spend, periods_per_month=clv.DAYS_PER_MONTH, margin=margin
    )

    expected = np.zeros(50)
    for month in range(1, 13):
        purchases = clv.bgnbd_expected_purchases(
            PARAMS, month * 30.4375, x, t_x, age
        ) - clv.bgnbd_expected_purchases(PARAMS, (month - 1) * 30.4375, x, t_x, age)
        expected += purchases * spend * margin / 1.01**month
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_lifetime_value_without_discount_is_a_year_of_purchases() -> None:
    x, t_x, age = simulate(50, PARAMS, seed=10)

    value = clv.lifetime_value(
        PARAMS, x, t_x, age, 200.0, periods_per_month=30.0, monthly_discount_rate=0.0
    )

    year = clv.bgnbd_expected_purchases(PARAMS, 360.0, x, t_x, age)
    np.testing.assert_allclose(value, year * 200.0, rtol=1e-12)


def test_lifetime_value_on_margin_and_discounted_is_lower() -> None:
    x, t_x, age = (np.array([3.0]), np.array([300.0]), np.array([365.0]))

    revenue = clv.lifetime_value(PARAMS, x, t_x, age, 200.0, periods_per_month=30.4375)
    margin = clv.lifetime_value(PARAMS, x, t_x, age, 200.0, periods_per_month=30.4375, margin=0.4)
    undiscounted = clv.lifetime_value(
        PARAMS, x, t_x, age, 200.0, periods_per_month=30.4375, monthly_discount_rate=0.0
    )

    assert margin[0] == pytest.approx(0.4 * revenue[0], rel=1e-14)
    assert revenue[0] < undiscounted[0]
    assert round(float(revenue[0]), 2) == 371.5


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "t_x", "age", "message"),
    [
        pytest.param([1.0], [5.0], [4.0], "recency must lie", id="recency_after_age_case"),
        pytest.param([1.0], [-1.0], [4.0], "recency must lie", id="negative_recency_case"),
        pytest.param([1.5], [1.0], [4.0], "whole number", id="fractional_frequency_case"),
        pytest.param([-1.0], [0.0], [4.0], "whole number", id="negative_frequency_case"),
        pytest.param([0.0], [1.0], [4.0], "recency must be 0", id="recency_without_repeat_case"),
        pytest.param([1.0], [np.nan], [4.0], "finite", id="missing_value_case"),
        pytest.param([1.0, 2.0], [1.0], [4.0], "same length", id="length_case"),
    ],
)
def test_invalid_inputs_are_refused(
    x: list[float], t_x: list[float], age: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        clv.bgnbd_probability_alive(PARAMS, x, t_x, age)


def test_fits_refuse_data_without_repeat_purchases() -> None:
    with pytest.raises(ValueError, match="repeat purchases"):
        clv.bgnbd_fit([0, 0], [0.0, 0.0], [3.0, 4.0])
    with pytest.raises(ValueError, match="repeat purchases"):
        clv.gamma_gamma_fit([0, 0], [0.0, 0.0])
    with pytest.raises(ValueError, match="positive"):
        clv.gamma_gamma_fit([1, 2], [10.0, 0.0])


def test_results_serialise_for_the_command_line() -> None:
    x, t_x, age = simulate(2000, PARAMS, seed=12)

    fit = clv.bgnbd_fit(x, t_x, age).as_dict()

    assert set(fit) == {"params", "log_likelihood", "customers", "distinct_rows", "convergence"}
    assert set(fit["params"]) == {"r", "alpha", "a", "b"}
    assert set(fit["convergence"]) == {
        "converged",
        "message",
        "iterations",
        "evaluations",
        "gradient_norm",
    }
