"""The CLV models reproduce the published CDNOW results and agree with lifetimes.

Data: the CDNOW sample of Fader, Hardie & Lee (2005), "Counting your customers the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284: 2,357 customers who made
their first purchase at CDNOW in the first quarter of 1997, calibration period of 39 weeks
(1997-01-01 to 1997-09-30), time in weeks. The transaction file ships inside the ``lifetimes``
package (a dev dependency) as ``lifetimes/datasets/CDNOW_sample.txt``; the summary is built here
from it: transactions on the same day count as one, x counts the days after the first one with a
purchase, t_x and T are days / 7, m_x is the average value of those repeat days.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lifetimes.datasets
import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter

from guanxi.analytics import clv

CDNOW_SAMPLE = Path(lifetimes.datasets.__file__).parent / "CDNOW_sample.txt"
CALIBRATION_END = np.datetime64("1997-09-30")


@dataclass(frozen=True)
class Summary:
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    monetary_value: np.ndarray


@pytest.fixture(scope="module")
def cdnow() -> Summary:
    # Columns: master customer id, sample customer id 1..2357, date YYYYMMDD, CDs, dollars.
    raw = np.loadtxt(CDNOW_SAMPLE)
    customer = raw[:, 1].astype(np.int64)
    yyyymmdd = raw[:, 2].astype(np.int64)
    month = (yyyymmdd // 10000 - 1970) * 12 + yyyymmdd // 100 % 100 - 1
    date = month.astype("datetime64[M]").astype("datetime64[D]") + (yyyymmdd % 100 - 1)
    day = (date - np.datetime64("1997-01-01")).astype(np.int64)
    end = int((CALIBRATION_END - np.datetime64("1997-01-01")).astype(np.int64))
    days, day_index = np.unique(customer * 1000 + day, return_inverse=True)
    day_amount = np.bincount(day_index, weights=raw[:, 4])
    day_customer, day_of = days // 1000, days % 1000
    size = int(customer.max()) + 1
    first = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(first, day_customer, day_of)
    calibration = day_of <= end
    repeat = calibration & (day_of > first[day_customer])
    last = first.copy()
    np.maximum.at(last, day_customer[calibration], day_of[calibration])
    frequency = np.bincount(day_customer[repeat], minlength=size)[1:].astype(np.float64)
    spend = np.bincount(day_customer[repeat], weights=day_amount[repeat], minlength=size)[1:]
    return Summary(
        frequency=frequency,
        recency=(last[1:] - first[1:]) / 7.0,
        age=(end - first[1:]) / 7.0,
        monetary_value=np.divide(spend, frequency, out=np.zeros(size - 1), where=frequency > 0),
    )


@pytest.fixture(scope="module")
def bgnbd(cdnow: Summary) -> clv.BetaGeoFit:
    return clv.bgnbd_fit(cdnow.frequency, cdnow.recency, cdnow.age)


@pytest.fixture(scope="module")
def gamma_gamma(cdnow: Summary) -> clv.GammaGammaFit:
    return clv.gamma_gamma_fit(cdnow.frequency, cdnow.monetary_value)


@pytest.fixture(scope="module")
def lifetimes_bgnbd(cdnow: Summary, bgnbd: clv.BetaGeoFit) -> BetaGeoFitter:
    """lifetimes' fitter, with our parameters (so that formulas, not optimisers, are compared)."""
    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(
        [bgnbd.params.r, bgnbd.params.alpha, bgnbd.params.a, bgnbd.params.b],
        index=["r", "alpha", "a", "b"],
    )
    fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time
    return fitter


def test_summary_matches_the_published_one(cdnow: Summary) -> None:
    published = lifetimes.datasets.load_cdnow_summary_data_with_monetary_value()

    assert cdnow.frequency.size == 2357
    assert int(cdnow.frequency.sum()) == 2457
    assert int(np.count_nonzero(cdnow.frequency)) == 946
    np.testing.assert_array_equal(cdnow.frequency, published["frequency"].to_numpy())
    # The published summary is rounded to 2 decimals.
    np.testing.assert_allclose(cdnow.recency, published["recency"].to_numpy(), atol=0.005)
    np.testing.assert_allclose(cdnow.age, published["T"].to_numpy(), atol=0.005)
    np.testing.assert_allclose(
        cdnow.monetary_value, published["monetary_value"].to_numpy(), atol=0.005 + 1e-9
    )


def test_bgnbd_reproduces_the_published_parameters(bgnbd: clv.BetaGeoFit) -> None:
    # Fader, Hardie & Lee (2005) on this sample: r = 0.243, α = 4.414, a = 0.793, b = 2.426 and
    # LL = −9582.4.
    params = bgnbd.params

    assert bgnbd.convergence.converged
    assert (f"{params.r:.3g}", f"{params.alpha:.3g}", f"{params.a:.3g}", f"{params.b:.3g}") == (
        "0.243",
        "4.41",
        "0.793",
        "2.43",
    )
    assert (round(params.r, 3), round(params.alpha, 3)) == (0.243, 4.414)
    assert (round(params.a, 3), round(params.b, 3)) == (0.793, 2.426)
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert round(bgnbd.log_likelihood, 2) == -9582.43
    assert (bgnbd.customers, bgnbd.distinct_rows) == (2357.0, 1016)


def test_bgnbd_on_every_row_equals_the_grouped_fit(cdnow: Summary, bgnbd: clv.BetaGeoFit) -> None:
    raw = clv.bgnbd_fit(cdnow.frequency, cdnow.recency, cdnow.age, group=False)

    assert raw.distinct_rows == 2357
    assert raw.log_likelihood == pytest.approx(bgnbd.log_likelihood, abs=1e-6)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(raw.params, name) == pytest.approx(getattr(bgnbd.params, name), rel=1e-6)


def test_bgnbd_agrees_with_lifetimes_fit(cdnow: Summary, bgnbd: clv.BetaGeoFit) -> None:
    fitter = BetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow.age)

    for name in ("r", "alpha", "a", "b"):
        assert getattr(bgnbd.params, name) == pytest.approx(fitter.params_[name], rel=1e-5)


def test_gamma_gamma_reproduces_the_published_parameters(
    gamma_gamma: clv.GammaGammaFit,
) -> None:
    # Fader, Hardie & Lee (2005), "RFM and CLV": p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat
    # customers. The paper gives no log-likelihood; −4055.9 is this fit's, and lifetimes' below.
    params = gamma_gamma.params

    assert gamma_gamma.convergence.converged
    assert (round(params.p, 2), round(params.q, 2), round(params.gamma, 2)) == (6.25, 3.74, 15.44)
    assert gamma_gamma.log_likelihood == pytest.approx(-4055.9, abs=0.1)
    assert round(gamma_gamma.log_likelihood, 2) == -4055.92
    assert gamma_gamma.customers == 946.0
    assert round(params.population_mean, 2) == 35.17


def test_gamma_gamma_agrees_with_lifetimes(cdnow: Summary, gamma_gamma: clv.GammaGammaFit) -> None:
    repeat = cdnow.frequency > 0
    fitter = GammaGammaFitter().fit(cdnow.frequency[repeat], cdnow.monetary_value[repeat])
    # lifetimes minimises the mean negative log-likelihood.
    lifetimes_log_likelihood = -fitter._negative_log_likelihood_ * 946

    assert gamma_gamma.params.p == pytest.approx(fitter.params_["p"], rel=1e-5)
    assert gamma_gamma.params.q == pytest.approx(fitter.params_["q"], rel=1e-5)
    assert gamma_gamma.params.gamma == pytest.approx(fitter.params_["v"], rel=1e-5)
    assert gamma_gamma.log_likelihood == pytest.approx(lifetimes_log_likelihood, abs=1e-6)
    spend = clv.gamma_gamma_expected_spend(
        gamma_gamma.params, cdnow.frequency, cdnow.monetary_value
    )
    fitter.params_ = pd.Series(
        [gamma_gamma.params.p, gamma_gamma.params.q, gamma_gamma.params.gamma],
        index=["p", "q", "v"],
    )
    expected = fitter.conditional_expected_average_profit(
        pd.Series(cdnow.frequency), pd.Series(cdnow.monetary_value)
    ).to_numpy()
    np.testing.assert_allclose(spend, expected, rtol=1e-12)


def test_first_customer(bgnbd: clv.BetaGeoFit) -> None:
    # Customer 1 of the sample (x = 2, t_x = 30.43, T = 38.86), over the 39-week holdout.
    purchases = clv.bgnbd_expected_purchases(bgnbd.params, 39, [2], [30.43], [38.86])
    alive = clv.bgnbd_probability_alive(bgnbd.params, [2], [30.43], [38.86])

    assert round(float(purchases[0]), 3) == 1.226
    assert round(float(alive[0]), 4) == 0.7266


@pytest.mark.parametrize("customer", [0, 1, 2, 17, 105, 1000, 2356])
def test_per_customer_figures_equal_lifetimes(
    cdnow: Summary, bgnbd: clv.BetaGeoFit, lifetimes_bgnbd: BetaGeoFitter, customer: int
) -> None:
    x, t_x, age = (
        cdnow.frequency[customer : customer + 1],
        cdnow.recency[customer : customer + 1],
        cdnow.age[customer : customer + 1],
    )
    alive = clv.bgnbd_probability_alive(bgnbd.params, x, t_x, age)
    expected = lifetimes_bgnbd.conditional_probability_alive(x, t_x, age)

    np.testing.assert_allclose(alive, expected, rtol=1e-6)
    for weeks in (1, 13, 39, 52):
        purchases = clv.bgnbd_expected_purchases(bgnbd.params, weeks, x, t_x, age)
        expected = lifetimes_bgnbd.conditional_expected_number_of_purchases_up_to_time(
            weeks, x, t_x, age
        )
        np.testing.assert_allclose(purchases, expected, rtol=1e-6)


def test_every_customer_equals_lifetimes(
    cdnow: Summary, bgnbd: clv.BetaGeoFit, lifetimes_bgnbd: BetaGeoFitter
) -> None:
    horizons = np.array([1.0, 13.0, 39.0, 52.0])
    purchases = clv.bgnbd_expected_purchases(
        bgnbd.params, horizons, cdnow.frequency, cdnow.recency, cdnow.age
    )
    expected = np.stack(
        [
            lifetimes_bgnbd.conditional_expected_number_of_purchases_up_to_time(
                weeks, cdnow.frequency, cdnow.recency, cdnow.age
            )
            for weeks in horizons
        ],
        axis=1,
    )

    assert purchases.shape == (2357, 4)
    np.testing.assert_allclose(purchases, expected, rtol=1e-9)
    np.testing.assert_allclose(
        clv.bgnbd_probability_alive(bgnbd.params, cdnow.frequency, cdnow.recency, cdnow.age),
        lifetimes_bgnbd.conditional_probability_alive(cdnow.frequency, cdnow.recency, cdnow.age),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        clv.bgnbd_expected_purchases_population(bgnbd.params, horizons),
        lifetimes_bgnbd.expected_number_of_purchases_up_to_time(horizons),
        rtol=1e-12,
    )


def test_lifetime_value_equals_lifetimes(
    cdnow: Summary,
    bgnbd: clv.BetaGeoFit,
    gamma_gamma: clv.GammaGammaFit,
    lifetimes_bgnbd: BetaGeoFitter,
) -> None:
    spend = clv.gamma_gamma_expected_spend(
        gamma_gamma.params, cdnow.frequency, cdnow.monetary_value
    )
    value = clv.lifetime_value(
        bgnbd.params,
        cdnow.frequency,
        cdnow.recency,
        cdnow.age,
        spend,
        periods_per_month=4.345,  # lifetimes' month in weeks
    )
    fitter = GammaGammaFitter()
    fitter.params_ = pd.Series(
        [gamma_gamma.params.p, gamma_gamma.params.q, gamma_gamma.params.gamma],
        index=["p", "q", "v"],
    )
    expected = fitter.customer_lifetime_value(
        lifetimes_bgnbd,
        pd.Series(cdnow.frequency),
        pd.Series(cdnow.recency),
        pd.Series(cdnow.age),
        pd.Series(cdnow.monetary_value),
        time=12,
        discount_rate=0.01,
        freq="W",
    ).to_numpy()

    np.testing.assert_allclose(value, expected, rtol=1e-9)
    assert round(float(value.sum()), 2) == round(float(expected.sum()), 2)
