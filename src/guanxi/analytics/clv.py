"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, fitted by maximum likelihood.

Pure NumPy/SciPy (no Django), so the analytics engine, the benchmarks and the tests share it.

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to
  the Pareto/NBD model", Marketing Science 24(2)) models repeat purchases: while alive a customer
  buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase the customer drops out with
  probability p ~ Beta(a, b). A customer is summarised by ``frequency`` x (repeat purchases),
  ``recency`` t_x (age at the last purchase, 0 when x = 0) and ``age`` T (time since the first
  purchase), all in one time unit (days, weeks...). α is in that unit.
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
  base analysis", Journal of Marketing Research 42(4); Hardie's note 025) models the average value
  m_x of a customer's x repeat purchases, parameters p, q, γ (``gamma``; ``v`` in lifetimes).
* **Lifetime value** over the next months: expected purchases in each month (differences of the
  conditional expectation at month ends) × expected spend × margin, discounted monthly.

Both fits maximise the log-likelihood in log-parameter space with a quasi-Newton method
(SciPy's SLSQP, L-BFGS-B as fallback) and an analytic gradient. Customers with identical inputs
are fitted once with a weight (``group=True``, the default), which is exact and makes large fits
faster when order dates are recorded by day: one-time buyers collapse to one row per age.

The log-likelihoods are the sums over customers of the densities in the papers, so on the CDNOW
sample in weeks the BG/NBD gives −9582.4 as published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

FloatArray = NDArray[np.float64]

#: Monthly discount rate of :func:`lifetime_value`: 1% a month, about 12.7% a year.
DEFAULT_MONTHLY_DISCOUNT_RATE = 0.01
#: Average month length (365.25 / 12) in days and in weeks, for ``periods_per_month``.
DAYS_PER_MONTH = 30.4375
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7

# Log-parameters are kept within ±_LOG_BOUND so that a degenerate data set (say, nobody ever
# lapses: a → 0) cannot overflow; a fit ending beyond ±_LOG_LIMIT (e^15 ≈ 3·10^6, with time
# rescaled to max T = 1 and money to mean 1) has drifted to infinity along a flat ridge, which is
# reported as not converged.
_LOG_BOUND = 20.0
_LOG_LIMIT = 15.0
_GRADIENT_TOLERANCE = 1e-5


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BetaGeoParams:
    """BG/NBD parameters; ``alpha`` is in the time unit of the data it was fitted on."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    """Gamma-Gamma parameters; ``gamma`` is in the currency unit of the data."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean(self) -> float:
        """Mean transaction value of the population, p·γ/(q − 1) (infinite when q ≤ 1)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else float("inf")


@dataclass(frozen=True, slots=True)
class Convergence:
    """What the optimiser reported."""

    converged: bool
    message: str
    iterations: int
    evaluations: int
    gradient_norm: float


@dataclass(frozen=True, slots=True)
class BetaGeoFit:
    """A fitted BG/NBD model: parameters, log-likelihood (sum over customers) and diagnostics."""

    params: BetaGeoParams
    log_likelihood: float
    customers: float
    distinct_rows: int
    convergence: Convergence

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    """A fitted Gamma-Gamma model over the customers with at least one repeat purchase."""

    params: GammaGammaParams
    log_likelihood: float
    customers: float
    distinct_rows: int
    convergence: Convergence

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _float_array(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        array = array.reshape(-1)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def _weights(weights: ArrayLike | None, size: int) -> FloatArray:
    if weights is None:
        return np.ones(size, dtype=np.float64)
    array = _float_array(weights, "weights")
    if array.shape != (size,):
        raise ValueError("weights must have one value per customer")
    if np.any(array < 0):
        raise ValueError("weights must not be negative")
    return array


def _rfm_inputs(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = _float_array(frequency, "frequency")
    t_x = _float_array(recency, "recency")
    big_t = _float_array(age, "age")
    if not (x.shape == t_x.shape == big_t.shape):
        raise ValueError("frequency, recency and age must have the same length")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number of repeat purchases")
    if np.any(t_x < 0) or np.any(t_x > big_t):
        raise ValueError("recency must lie between 0 and the customer's age")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers without repeat purchases")
    return x, t_x, big_t


def distinct_rows(
    columns: tuple[FloatArray, ...], weights: FloatArray
) -> tuple[tuple[FloatArray, ...], FloatArray, NDArray[np.intp]]:
    """Collapse identical rows of ``columns``: (distinct columns, summed weights, inverse index).

    ``inverse`` maps each input row to its distinct row, so ``distinct[inverse]`` restores it.
    """
    order = np.lexsort(columns[::-1])
    ordered = tuple(column[order] for column in columns)
    change = np.zeros(order.size, dtype=bool)
    if order.size:
        change[0] = True
    for column in ordered:
        change[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(change)
    summed = np.add.reduceat(weights[order], starts) if starts.size else weights[:0]
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.cumsum(change) - 1
    return tuple(column[starts] for column in ordered), summed, inverse


def _dot(u: FloatArray, v: FloatArray) -> float:
    """Σ u·v without BLAS: on a busy machine BLAS threads cost more than they save here."""
    return float(np.einsum("i,i->", u, v))


def _minimize(
    objective: Any, start: FloatArray, max_iterations: int
) -> tuple[FloatArray, Convergence]:
    """Minimise ``objective`` (value and gradient) over log-parameters within ±_LOG_BOUND.

    SLSQP (a quasi-Newton method with BFGS updates) takes as many evaluations as L-BFGS-B
    here but does not call BLAS, whose threads make L-BFGS-B's tiny linear algebra slow on a
    busy machine; L-BFGS-B takes over if SLSQP stops short of the optimum.
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * start.size
    result = optimize.minimize(
        objective,
        start,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        options={"maxiter": max_iterations, "ftol": 1e-15},
    )
    iterations, evaluations = int(result.nit), int(result.nfev)
    if not (result.success and np.all(np.isfinite(result.x))):
        restart = result.x if np.all(np.isfinite(result.x)) else start
        result = optimize.minimize(
            objective,
            restart,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-10},
        )
        iterations += int(result.nit)
        evaluations += int(result.nfev)
    solution = np.asarray(result.x, dtype=np.float64)
    gradient_norm = float(np.max(np.abs(np.asarray(result.jac, dtype=np.float64))))
    diverged = bool(np.any(np.abs(solution) > _LOG_LIMIT))
    # Converged means stationary: the gradient of the mean log-likelihood (per customer) with
    # respect to the log-parameters is negligible, whatever stopping rule the optimiser used.
    converged = gradient_norm < _GRADIENT_TOLERANCE and not diverged
    message = str(result.message)
    if diverged:
        message = "a parameter diverged: the data do not identify the model"
    return solution, Convergence(
        converged=converged,
        message=message,
        iterations=iterations,
        evaluations=evaluations,
        gradient_norm=gradient_norm,
    )


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def _bgnbd_log_odds_dead(
    params: BetaGeoParams, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """D = ln[a/(b+x−1)] + (r+x)·ln[(α+T)/(α+t_x)] for x > 0; P(alive) = 1/(1 + e^D)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    growth = np.log1p((big_t - t_x) / (alpha + t_x))
    odds = np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0) + (r + x) * growth
    return np.asarray(odds, dtype=np.float64)


def bgnbd_log_likelihood(
    params: BetaGeoParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """Log-likelihood of each customer's (x, t_x, T) (FHL 2005 eq. 6, in logs).

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T)
           + [x > 0] · ln(1 + e^D),   D = ln[a/(b+x−1)] + (r+x)·ln[(α+T)/(α+t_x)]:
    the paper's two-term sum with its first term factored out, ln(1 + e^D) computed without
    overflow (``logaddexp``).
    """
    x, t_x, big_t = _rfm_inputs(frequency, recency, age)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    base = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
        - (r + x) * np.log(alpha + big_t)
    )
    repeat = np.where(x > 0, np.logaddexp(0.0, _bgnbd_log_odds_dead(params, x, t_x, big_t)), 0.0)
    return np.asarray(base + repeat, dtype=np.float64)


class _BetaGeoObjective:
    """Mean negative log-likelihood and its gradient in log-parameters, on prepared arrays.

    Terms that depend on x alone are summed over the distinct values of x (weights per x), the
    rest is evaluated per row; rows without repeat purchases only need ln(α+T).
    """

    def __init__(self, x: FloatArray, t_x: FloatArray, big_t: FloatArray, w: FloatArray):
        self.total = float(w.sum())
        x_values, x_index = np.unique(x, return_inverse=True)
        self.x_values = x_values
        self.x_weights = np.asarray(
            np.bincount(x_index, weights=w, minlength=x_values.size), dtype=np.float64
        )
        self.big_t = big_t
        self.w = w
        self.wx = w * x
        repeat = x > 0
        self.rep_x = x[repeat]
        self.rep_t_x = t_x[repeat]
        self.rep_big_t = big_t[repeat]
        self.rep_w = w[repeat]
        self.rep_x_index = x_index[repeat]

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(log_params)
        xv, xw = self.x_values, self.x_weights
        # Terms in x only, weighted by the number of customers with each x.
        gammas = special.gammaln(r + xv) - special.gammaln(r)
        betas = special.betaln(a, b + xv) - special.betaln(a, b)
        ll = _dot(xw, gammas + betas) + self.total * r * np.log(alpha)
        d_r = _dot(xw, special.digamma(r + xv) - special.digamma(r))
        d_r += self.total * np.log(alpha)
        d_alpha = self.total * r / alpha
        psi_ab = special.digamma(a + b)
        psi_abx = special.digamma(a + b + xv)
        d_a = _dot(xw, psi_ab - psi_abx)
        d_b = _dot(xw, special.digamma(b + xv) - special.digamma(b) - psi_abx + psi_ab)
        # −(r+x)·ln(α+T) over every row.
        log_at = np.log(alpha + self.big_t)
        inv_at = 1.0 / (alpha + self.big_t)
        w_log_at = _dot(self.w, log_at)
        ll -= r * w_log_at + _dot(self.wx, log_at)
        d_r -= w_log_at
        d_alpha -= r * _dot(self.w, inv_at) + _dot(self.wx, inv_at)
        # ln(1 + e^D) over the rows with repeat purchases.
        x, t_x, big_t, w = self.rep_x, self.rep_t_x, self.rep_big_t, self.rep_w
        if x.size:
            rx = r + x
            log_b = np.log(b + np.maximum(self.x_values, 1.0) - 1.0)[self.rep_x_index]
            growth = np.log1p((big_t - t_x) / (alpha + t_x))
            d = np.log(a) - log_b + rx * growth
            e = np.exp(-np.abs(d))
            softplus = np.maximum(d, 0.0) + np.log1p(e)
            dead = np.where(d > 0, 1.0 / (1.0 + e), e / (1.0 + e))  # expit(D) = 1 − P(alive)
            w_dead = w * dead
            ll += _dot(w, softplus)
            d_r += _dot(w_dead, growth)
            d_alpha += _dot(w_dead, rx * (1.0 / (alpha + big_t) - 1.0 / (alpha + t_x)))
            d_a += float(w_dead.sum()) / a
            d_b -= _dot(w_dead, np.exp(-log_b))
        gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b], dtype=np.float64)
        return -ll / self.total, -gradient / self.total


def bgnbd_fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    group: bool = True,
    max_iterations: int = 1000,
) -> BetaGeoFit:
    """Fit the BG/NBD model by maximum likelihood.

    ``frequency`` x is the number of repeat purchases, ``recency`` t_x the age at the last one
    (0 if none) and ``age`` T the time since the first purchase, all in one unit; ``weights``
    counts customers per row. With ``group`` identical rows are fitted once with their summed
    weight (same result, faster). Time is rescaled to max T = 1 while fitting, for conditioning.
    """
    x, t_x, big_t = _rfm_inputs(frequency, recency, age)
    w = _weights(weights, x.size)
    if x.size == 0 or w.sum() <= 0:
        raise ValueError("no customers to fit")
    if not np.any(x > 0):
        raise ValueError("the BG/NBD model needs customers with repeat purchases")
    if group:
        (x, t_x, big_t), w, _ = distinct_rows((x, t_x, big_t), w)
    scale = float(big_t.max()) or 1.0
    objective = _BetaGeoObjective(x, t_x / scale, big_t / scale, w)
    log_params, convergence = _minimize(objective, np.zeros(4), max_iterations)
    r, alpha, a, b = np.exp(log_params)
    params = BetaGeoParams(r=float(r), alpha=float(alpha * scale), a=float(a), b=float(b))
    log_likelihood = _dot(w, bgnbd_log_likelihood(params, x, t_x, big_t))
    return BetaGeoFit(
        params=params,
        log_likelihood=log_likelihood,
        customers=float(w.sum()),
        distinct_rows=int(x.size),
        convergence=convergence,
    )


def bgnbd_probability_alive(
    params: BetaGeoParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(alive | x, t_x, T) = 1 / (1 + [x>0]·a/(b+x−1)·((α+T)/(α+t_x))^(r+x)) (Hardie note 021)."""
    x, t_x, big_t = _rfm_inputs(frequency, recency, age)
    return _probability_alive(params, x, t_x, big_t)


def _probability_alive(
    params: BetaGeoParams, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    odds = _bgnbd_log_odds_dead(params, x, t_x, big_t)
    return np.asarray(np.where(x > 0, special.expit(-odds), 1.0), dtype=np.float64)


def _purchases_bracket(
    params: BetaGeoParams, t: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """(a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)], z = t/(α+T+t).

    2F1 with these arguments grows like (1−z)^(a−1−r−x), huge for frequent buyers, and is cut
    down again by the power in front. Euler's transformation 2F1(A, B; C; z) =
    (1−z)^(C−A−B)·2F1(C−A, C−B; C; z) turns the product into (1−z)^(a−1)·2F1(a+b−1−r, a−1;
    a+b+x−1; z), of moderate size for every x: its first two arguments do not grow with x.
    The bracket is written 1 − (1−z)^(a−1)·(1 + S) = −expm1((a−1)·ln(1−z)) − (1−z)^(a−1)·S.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1.0
    log_rest = np.log1p(-t / (alpha + big_t + t))  # ln(1 − z)
    series = special.hyp2f1(a + b - 1.0 - r, a - 1.0, c, t / (alpha + big_t + t)) - 1.0
    bracket = -np.expm1((a - 1.0) * log_rest) - np.exp((a - 1.0) * log_rest) * series
    return np.asarray(c / (a - 1.0) * bracket, dtype=np.float64)


def bgnbd_expected_purchases(
    params: BetaGeoParams,
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Expected repeat purchases in the next ``t`` periods given (x, t_x, T) (FHL 2005 eq. 10).

    ``t`` (same unit as the fit) is one horizon, giving one value per customer, or a 1-D array
    of k horizons, giving an (n customers × k) array. Undefined for a = 1 exactly (the formula's
    limit is not implemented).
    """
    x, t_x, big_t = _rfm_inputs(frequency, recency, age)
    horizon = np.asarray(t, dtype=np.float64)
    if horizon.ndim > 1 or np.any(horizon < 0) or not np.all(np.isfinite(horizon)):
        raise ValueError("t must be one non-negative horizon or a 1-D array of them")
    alive = _probability_alive(params, x, t_x, big_t)
    if horizon.ndim:
        x, big_t, alive = x[:, None], big_t[:, None], alive[:, None]
    return _purchases_bracket(params, horizon, x, big_t) * alive


def bgnbd_expected_purchases_population(params: BetaGeoParams, t: ArrayLike) -> FloatArray:
    """Expected repeat purchases by a new customer within ``t`` periods (FHL 2005 eq. 9).

    Used to compare the model with actual repeat purchases (calibration vs holdout).
    """
    horizon = np.asarray(t, dtype=np.float64)
    zero = np.zeros_like(horizon)
    return _purchases_bracket(params, horizon, zero, zero)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


def _spend_inputs(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = _float_array(frequency, "frequency")
    m = _float_array(monetary_value, "monetary_value")
    if x.shape != m.shape:
        raise ValueError("frequency and monetary_value must have the same length")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number of repeat purchases")
    if np.any((x > 0) & (m <= 0)):
        raise ValueError("monetary_value must be positive for customers with repeat purchases")
    return x, m


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """Log density of each average repeat-purchase value m_x given x > 0 (Hardie note 025 eq. 1a).

    ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x
           − (px+q) ln(γ + x m_x).
    """
    x, m = _spend_inputs(frequency, monetary_value)
    if np.any(x <= 0):
        raise ValueError("the Gamma-Gamma model applies to customers with repeat purchases")
    p, q, gamma = params.p, params.q, params.gamma
    px = p * x
    values = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m)
    )
    return np.asarray(values, dtype=np.float64)


class _GammaGammaObjective:
    """Mean negative log-likelihood and gradient in log-parameters (x only terms per distinct x)."""

    def __init__(self, x: FloatArray, m: FloatArray, w: FloatArray):
        self.total = float(w.sum())
        x_values, x_index = np.unique(x, return_inverse=True)
        self.x_values = x_values
        self.x_weights = np.asarray(
            np.bincount(x_index, weights=w, minlength=x_values.size), dtype=np.float64
        )
        self.xm = x * m
        self.w = w
        self.wx = w * x
        self.wx_log_xm = _dot(self.wx, np.log(self.xm))
        self.w_log_m = _dot(w, np.log(m))

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        p, q, gamma = np.exp(log_params)
        xv, xw = self.x_values, self.x_weights
        gammas = special.gammaln(p * xv + q) - special.gammaln(p * xv) - special.gammaln(q)
        ll = _dot(xw, gammas) + self.total * q * np.log(gamma)
        ll += p * self.wx_log_xm - self.w_log_m
        psi_pxq = special.digamma(p * xv + q)
        d_p = _dot(xw, xv * (psi_pxq - special.digamma(p * xv))) + self.wx_log_xm
        d_q = _dot(xw, psi_pxq - special.digamma(q)) + self.total * np.log(gamma)
        d_gamma = self.total * q / gamma
        log_total = np.log(gamma + self.xm)
        inv_total = 1.0 / (gamma + self.xm)
        wx_log = _dot(self.wx, log_total)
        w_log = _dot(self.w, log_total)
        ll -= p * wx_log + q * w_log
        d_p -= wx_log
        d_q -= w_log
        d_gamma -= p * _dot(self.wx, inv_total) + q * _dot(self.w, inv_total)
        gradient = np.array([d_p * p, d_q * q, d_gamma * gamma], dtype=np.float64)
        return -ll / self.total, -gradient / self.total


def gamma_gamma_fit(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    group: bool = True,
    max_iterations: int = 1000,
) -> GammaGammaFit:
    """Fit the Gamma-Gamma spend model by maximum likelihood.

    ``monetary_value`` is each customer's average value of the x repeat purchases (the first
    purchase excluded). Customers with x = 0 are skipped. Money is rescaled to mean 1 while
    fitting, for conditioning; ``gamma`` is returned in the data's currency unit.
    """
    x, m = _spend_inputs(frequency, monetary_value)
    w = _weights(weights, x.size)
    repeat = (x > 0) & (w > 0)
    x, m, w = x[repeat], m[repeat], w[repeat]
    if x.size == 0:
        raise ValueError("the Gamma-Gamma model needs customers with repeat purchases")
    if group:
        (x, m), w, _ = distinct_rows((x, m), w)
    scale = float(np.average(m, weights=w))
    objective = _GammaGammaObjective(x, m / scale, w)
    log_params, convergence = _minimize(objective, np.zeros(3), max_iterations)
    p, q, gamma = np.exp(log_params)
    params = GammaGammaParams(p=float(p), q=float(q), gamma=float(gamma * scale))
    log_likelihood = _dot(w, gamma_gamma_log_likelihood(params, x, m))
    return GammaGammaFit(
        params=params,
        log_likelihood=log_likelihood,
        customers=float(w.sum()),
        distinct_rows=int(x.size),
        convergence=convergence,
    )


def gamma_gamma_expected_spend(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """E[M | p, q, γ, m_x, x] = (γ + x·m_x)·p / (p·x + q − 1) (FHL 2005 "RFM and CLV" eq. 5).

    A weighted average of the population mean pγ/(q−1) and the customer's own m_x; customers
    without repeat purchases (x = 0) get the population mean. Needs q > 1.
    """
    x, m = _spend_inputs(frequency, monetary_value)
    p, q, gamma = params.p, params.q, params.gamma
    if q <= 1.0:
        raise ValueError("the expected spend is infinite when q ≤ 1")
    m = np.where(x > 0, m, 0.0)
    return np.asarray((gamma + x * m) * p / (p * x + q - 1.0), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Lifetime value
# --------------------------------------------------------------------------------------------


def lifetime_value(
    params: BetaGeoParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    expected_spend: ArrayLike,
    *,
    periods_per_month: float,
    months: int = 12,
    monthly_discount_rate: float = DEFAULT_MONTHLY_DISCOUNT_RATE,
    margin: ArrayLike | None = None,
) -> FloatArray:
    """Discounted value of each customer's expected purchases over the next ``months``.

    CLV = Σ_{i=1..months} [E(Y(i·k)) − E(Y((i−1)·k))] · spend · margin / (1 + d)^i, with
    E(Y(t)) the conditional expected purchases (:func:`bgnbd_expected_purchases`), k =
    ``periods_per_month`` (the length of a month in the fit's time unit: :data:`DAYS_PER_MONTH`,
    :data:`WEEKS_PER_MONTH`), d = ``monthly_discount_rate`` (default 1% a month, each month's
    purchases discounted from the month's end) and ``expected_spend`` per purchase (usually
    :func:`gamma_gamma_expected_spend`). ``margin`` is the gross-margin ratio per customer (or
    one for all) to value margin rather than revenue; omitted, the value is in revenue.
    """
    x, t_x, big_t = _rfm_inputs(frequency, recency, age)
    spend = np.broadcast_to(np.asarray(expected_spend, dtype=np.float64), x.shape)
    ratio = np.broadcast_to(
        np.asarray(1.0 if margin is None else margin, dtype=np.float64), x.shape
    )
    if months < 1 or periods_per_month <= 0:
        raise ValueError("months and periods_per_month must be positive")
    if monthly_discount_rate <= -1.0:
        raise ValueError("monthly_discount_rate must be greater than −100%")
    if x.size == 0:
        return np.zeros(0, dtype=np.float64)
    # E(Y(t)) = bracket(x, T, t) · P(alive | x, t_x, T): the hypergeometric part depends on x
    # and T only, so it is computed once per distinct (x, T) for every month end.
    (ux, ubig_t), _, inverse = distinct_rows((x, big_t), np.ones(x.size))
    ends = np.arange(months + 1, dtype=np.float64) * periods_per_month
    cumulative = _purchases_bracket(params, ends[None, :], ux[:, None], ubig_t[:, None])
    discount = (1.0 + monthly_discount_rate) ** -np.arange(1, months + 1, dtype=np.float64)
    discounted = np.einsum("ij,j->i", np.diff(cumulative, axis=1), discount)
    alive = _probability_alive(params, x, t_x, big_t)
    return np.asarray(discounted[inverse] * alive * spend * ratio, dtype=np.float64)
