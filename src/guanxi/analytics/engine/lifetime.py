"""Lifetime value and its diagnostics for the engine, on the cores of ``guanxi.analytics.clv``.

Time is in days (the customer summary's ``frequency``, ``recency``, ``age``, as lifetimes'
``freq="D"``), so ``alpha`` is in days. Per customer: P(alive), the expected purchases in the
next 90 days and the value of the next ``months`` months, discounted monthly at the rate
equivalent to the annual one, on margin where costs are known: the customer's own margin ratio,
else the business's (Σ known margin / Σ the spend it was known on), else on revenue.

Diagnostics (FHL 2005, figures 2-4): the **calibration** table compares, for 0..6 and 7+ repeat
purchases, how many customers made them with how many the fitted model expects (Σ over the
customers of P(X(T) = x), eq. 8). The **holdout** check refits the model on the data up to a
cutoff (the last quarter of the history, 4 to 26 weeks) and compares the repeat purchases the
calibration customers made after it, week by week (cumulative) and by their calibration
frequency, with what the calibration model expected.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from guanxi.analytics import clv
from guanxi.analytics.rfm import customer_summary, day_date, day_number

CALIBRATION_BUCKETS = 7  # 0..6 repeat purchases, then "7+"
#: Largest dropout ``a`` used for predictions (see :func:`usable_params`).
MAX_DROPOUT_SHAPE = 100.0


@dataclass(frozen=True)
class Lifetime:
    p_alive: np.ndarray
    expected_90d: np.ndarray
    value: np.ndarray
    results: dict[str, Any]


def _floats(table: pa.Table, column: str) -> np.ndarray:
    values = table[column].cast(pa.float64())
    return np.asarray(pc.fill_null(values, 0.0).to_numpy(), dtype=np.float64)


def probability_of_purchases(params: clv.BetaGeoParams, x: int, t: np.ndarray) -> np.ndarray:
    """P(X(t) = x): the chance of exactly ``x`` repeat purchases in ``t`` (FHL 2005 eq. 8)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = np.asarray(t, dtype=np.float64)
    log_beta = special.betaln(a, b)
    log_base = r * np.log(alpha / (alpha + t))
    log_ratio = np.log(t / (alpha + t), where=t > 0, out=np.full(t.shape, -np.inf))
    first = np.exp(
        special.betaln(a, b + x)
        - log_beta
        + special.gammaln(r + x)
        - special.gammaln(r)
        - special.gammaln(x + 1)
        + log_base
        + (x * log_ratio if x else 0.0)
    )
    if x == 0:
        return np.asarray(first, dtype=np.float64)
    partial = np.zeros(t.shape)
    for j in range(x):
        partial += np.exp(
            special.gammaln(r + j)
            - special.gammaln(r)
            - special.gammaln(j + 1)
            + log_base
            + (j * log_ratio if j else 0.0)
        )
    second = np.exp(special.betaln(a + 1, b + x - 1) - log_beta) * (1.0 - partial)
    return np.asarray(first + second, dtype=np.float64)


def calibration_table(
    params: clv.BetaGeoParams, frequency: np.ndarray, age: np.ndarray
) -> list[dict[str, Any]]:
    """Customers per number of repeat purchases, actual and expected by the model."""
    ages, counts = np.unique(age, return_counts=True)
    rows = []
    expected_total = 0.0
    for x in range(CALIBRATION_BUCKETS):
        expected = float(np.dot(counts, probability_of_purchases(params, x, ages)))
        expected_total += expected
        actual = int(np.count_nonzero(frequency == x))
        rows.append(
            {
                "purchases": x,
                "label": str(x),
                "actual_customers": actual,
                "expected_customers": expected,
            }
        )
    rows.append(
        {
            "purchases": CALIBRATION_BUCKETS,
            "label": f"{CALIBRATION_BUCKETS}+",
            "actual_customers": int(np.count_nonzero(frequency >= CALIBRATION_BUCKETS)),
            "expected_customers": max(0.0, float(frequency.size) - expected_total),
        }
    )
    return rows


def usable_params(params: clv.BetaGeoParams) -> clv.BetaGeoParams:
    """Parameters the predictions can be computed with.

    When nearly every customer drops out with the same probability p after a purchase, the
    likelihood keeps rising as a and b grow together with a / (a + b) = p fixed, and the fit
    ends with huge a and b (not converged: "a parameter diverged"). The model is then the
    limit with a fixed p, and the hypergeometric function of the predictions overflows. Scaling
    a and b down to a = :data:`MAX_DROPOUT_SHAPE` keeps p and changes the log-likelihood and
    the predictions by less than 0.01 % on such data, and keeps every number finite.
    """
    if params.a <= MAX_DROPOUT_SHAPE:
        return params
    scale = MAX_DROPOUT_SHAPE / params.a
    return clv.BetaGeoParams(r=params.r, alpha=params.alpha, a=params.a * scale, b=params.b * scale)


def _params(fit: clv.BetaGeoFit) -> dict[str, Any]:
    p = fit.params
    return {
        "r": p.r,
        "alpha": p.alpha,
        "a": p.a,
        "b": p.b,
        "log_likelihood": fit.log_likelihood,
        "customers": fit.customers,
        "converged": fit.convergence.converged,
        "message": fit.convergence.message,
        "time_unit": "day",
        "dropout_limited": usable_params(p) is not p,
    }


def _gg_params(fit: clv.GammaGammaFit) -> dict[str, Any]:
    p = fit.params
    return {
        "p": p.p,
        "q": p.q,
        "gamma": p.gamma,
        "log_likelihood": fit.log_likelihood,
        "customers": fit.customers,
        "converged": fit.convergence.converged,
    }


def fit_models(summary: pa.Table) -> tuple[clv.BetaGeoFit | None, clv.GammaGammaFit | None]:
    """The BG/NBD and Gamma-Gamma fits of a customer summary (None when they cannot be fitted:
    nobody bought twice)."""
    frequency = _floats(summary, "frequency")
    try:
        bgnbd = clv.bgnbd_fit(frequency, _floats(summary, "recency"), _floats(summary, "age"))
    except ValueError:
        return None, None
    try:
        gamma_gamma = clv.gamma_gamma_fit(frequency, _floats(summary, "monetary_value"))
    except ValueError:
        gamma_gamma = None
    return bgnbd, gamma_gamma


def monthly_rate(annual_rate: float) -> float:
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def lifetime(
    summary: pa.Table,
    orders: pa.Table,
    *,
    as_of: datetime.date,
    tz: str,
    months: int,
    annual_discount_rate: float,
    holdout: bool = True,
) -> Lifetime:
    """P(alive), expected purchases in 90 days, the value over ``months`` and the diagnostics."""
    n = summary.num_rows
    empty = np.full(n, np.nan)
    frequency = _floats(summary, "frequency")
    recency = _floats(summary, "recency")
    age = _floats(summary, "age")
    bgnbd, gamma_gamma = fit_models(summary)
    if bgnbd is None:
        return Lifetime(empty, empty, empty, {"bgnbd": None, "gamma_gamma": None})
    params = usable_params(bgnbd.params)
    p_alive = clv.bgnbd_probability_alive(params, frequency, recency, age)
    expected_90d = clv.bgnbd_expected_purchases(params, 90.0, frequency, recency, age)
    average = _floats(summary, "total_spend") / np.maximum(_floats(summary, "purchases"), 1.0)
    if gamma_gamma is not None and gamma_gamma.params.q > 1.0:
        spend = clv.gamma_gamma_expected_spend(
            gamma_gamma.params, frequency, _floats(summary, "monetary_value")
        )
    else:
        spend = average
    ratio_known = np.asarray(summary["margin_ratio"].is_valid().to_numpy(zero_copy_only=False))
    on_margin = bool(ratio_known.any())
    if on_margin:
        margins = _floats(summary, "margin")[ratio_known]
        own = _floats(summary, "margin_ratio")
        spend_known = _known_spend(summary, ratio_known)
        overall = float(margins.sum() / spend_known) if spend_known > 0 else 1.0
        ratio = np.clip(np.where(ratio_known, own, overall), -1.0, 1.0)
    else:
        ratio = np.ones(n)
    value = clv.lifetime_value(
        params,
        frequency,
        recency,
        age,
        spend,
        periods_per_month=clv.DAYS_PER_MONTH,
        months=months,
        monthly_discount_rate=monthly_rate(annual_discount_rate),
        margin=ratio,
    )
    results: dict[str, Any] = {
        "bgnbd": _params(bgnbd),
        "gamma_gamma": None if gamma_gamma is None else _gg_params(gamma_gamma),
        "calibration": calibration_table(params, frequency, age),
        "horizon_months": months,
        "annual_discount_rate": annual_discount_rate,
        "on_margin": on_margin,
        "total_value": float(np.sum(value)),
        "expected_purchases_90d": float(np.sum(expected_90d)),
        "mean_p_alive": float(np.mean(p_alive)) if n else None,
    }
    if holdout:
        results.update(_holdout(summary, orders, as_of=as_of, tz=tz))
    return Lifetime(p_alive, expected_90d, value, results)


def _known_spend(summary: pa.Table, known: np.ndarray) -> float:
    """Σ of the spend the margin ratios were computed on: margin / ratio per customer."""
    margin = _floats(summary, "margin")[known]
    ratio = _floats(summary, "margin_ratio")[known]
    spend = _floats(summary, "total_spend")[known]
    base = np.where(ratio != 0, margin / np.where(ratio != 0, ratio, 1.0), spend)
    return float(base.sum())


def holdout_weeks(first_day: int, today: int) -> int:
    """The holdout length: a quarter of the history, 4 to 26 weeks."""
    return int(min(26, max(4, round((today - first_day) / 4 / 7))))


def _holdout(
    summary: pa.Table, orders: pa.Table, *, as_of: datetime.date, tz: str
) -> dict[str, Any]:
    today = day_number(as_of)
    first_day = day_number(pc.min(summary["first_purchase"]).as_py())
    weeks = holdout_weeks(first_day, today)
    cutoff_day = today - 7 * weeks
    if cutoff_day <= first_day:
        return {"holdout": [], "holdout_by_frequency": []}
    cutoff = day_date(cutoff_day)
    calibration = customer_summary(
        orders.select(["customer_id", "ordered_at", "net_amount"]), as_of=cutoff, tz=tz
    )
    model, _ = fit_models(calibration)
    if model is None:
        return {"holdout": [], "holdout_by_frequency": []}
    calibration_params = usable_params(model.params)
    x = _floats(calibration, "frequency")
    t_x = _floats(calibration, "recency")
    big_t = _floats(calibration, "age")
    ids = np.asarray(calibration["customer_id"].to_numpy(), dtype=np.int64)
    # Actual purchase days after the cutoff, per calibration customer and week.
    days = np.asarray(
        pc.fill_null(_local_days(orders, tz), -1).to_numpy(zero_copy_only=False), np.int64
    )
    customers = np.asarray(
        pc.fill_null(orders["customer_id"], -1).to_numpy(zero_copy_only=False), np.int64
    )
    after = (days > cutoff_day) & (days <= today) & (customers >= 0)
    # Distinct (customer, day) pairs as one integer key each: days after the cutoff are few.
    span = today - cutoff_day + 1
    keys = np.unique(customers[after] * span + (days[after] - cutoff_day))
    pair_customers, pair_days = keys // span, keys % span + cutoff_day
    position = np.searchsorted(ids, pair_customers).clip(0, max(ids.size - 1, 0))
    known = ids[position] == pair_customers if ids.size else np.zeros(keys.size, bool)
    week = (pair_days[known] - cutoff_day - 1) // 7
    actual_weekly = np.cumsum(np.bincount(week, minlength=weeks)[:weeks])
    horizons = 7.0 * np.arange(1, weeks + 1)
    (ux, ut, uT), weights, _ = clv.distinct_rows((x, t_x, big_t), np.ones(x.size))
    expected = clv.bgnbd_expected_purchases(calibration_params, horizons, ux, ut, uT)
    expected_weekly = weights @ expected
    holdout = [
        {
            "period": day_date(cutoff_day + 1 + 7 * k).isoformat(),
            "actual": float(actual_weekly[k]),
            "expected": float(expected_weekly[k]),
        }
        for k in range(weeks)
    ]
    per_customer_actual = np.bincount(position[known], minlength=ids.size)
    per_customer_expected = clv.bgnbd_expected_purchases(
        calibration_params, 7.0 * weeks, x, t_x, big_t
    )
    bucket = np.minimum(x.astype(np.int64), CALIBRATION_BUCKETS)
    by_frequency = []
    for value in range(CALIBRATION_BUCKETS + 1):
        chosen = bucket == value
        count = int(np.count_nonzero(chosen))
        by_frequency.append(
            {
                "frequency": value,
                "label": f"{value}+" if value == CALIBRATION_BUCKETS else str(value),
                "customers": count,
                "actual": float(per_customer_actual[chosen].mean()) if count else None,
                "expected": float(per_customer_expected[chosen].mean()) if count else None,
            }
        )
    return {
        "holdout": holdout,
        "holdout_by_frequency": by_frequency,
        "holdout_start": day_date(cutoff_day + 1).isoformat(),
        "holdout_weeks": weeks,
        "calibration_bgnbd": _params(model),
    }


def _local_days(orders: pa.Table, tz: str) -> pa.Array:
    from guanxi.analytics.rfm import local_days

    return local_days(orders["ordered_at"], tz)
