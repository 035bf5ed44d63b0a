"""The tills of the checkout benchmark, for ``locust --headless`` (run by ``benchmarks.checkout``).

Each simulated till belongs to one store, signs in with the store's API token and sells to its
own share of the store's benchmark cards, so that no two tills spend one balance at once and
the till can work out the total as the server will (list price, the card's tier discount) and
split it over the payments. Every request carries its own ``Idempotency-Key`` and reference.

The till records each request's start and latency, and what went wrong (HTTP status and the
API's error code, or the exception); at the end the figures after the warm-up are written to
``GUANXI_BENCH_CHECKOUT_RESULTS`` as JSON.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections import Counter
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from locust import FastHttpUser, constant, constant_throughput, events, task

FIXTURE = json.loads(open(os.environ["GUANXI_BENCH_CHECKOUT_FIXTURE"]).read())  # noqa: SIM115
RESULTS = os.environ["GUANXI_BENCH_CHECKOUT_RESULTS"]
PACE = float(os.environ.get("GUANXI_BENCH_CHECKOUT_PACE", "0"))
WARMUP = float(os.environ.get("GUANXI_BENCH_CHECKOUT_WARMUP", "10"))
CENT = Decimal("0.01")
LINES = (1, 2, 3, 4)
LINE_WEIGHTS = (45, 32, 16, 7)
MONEY_METHODS = ("mobile", "bank_card", "cash")
MONEY_WEIGHTS = (62, 23, 15)
WALK_IN_SHARE = 0.15
SERVICE_LINE_SHARE = 0.08

_tills = itertools.count()
# (start on the monotonic clock, milliseconds, what went wrong or "")
SAMPLES: list[tuple[float, float, str]] = []


def percentile(ordered: list[float], pct: float) -> float:
    """The nearest-rank percentile of an ordered list."""
    if not ordered:
        return 0.0
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[rank - 1]


class Till(FastHttpUser):
    wait_time = constant_throughput(PACE) if PACE else constant(0)

    def on_start(self) -> None:
        number = next(_tills)
        stores = FIXTURE["stores"]
        self.rng = random.Random(number)  # noqa: S311 - test data
        self.store = stores[number % len(stores)]
        tills_here = -(-self.environment.runner.target_user_count // len(stores))
        self.cards = self.store["cards"][number // len(stores) :: tills_here]
        for card in self.cards:
            card["stored_value"] = Decimal(card["stored_value"])
        self.headers = {"Authorization": f"Token {self.store['token']}"}

    def basket(self) -> tuple[list[dict], list[Decimal], list[bool]]:
        rng = self.rng
        count = rng.choices(LINES, LINE_WEIGHTS)[0]
        chosen = rng.sample(self.store["products"], count)
        lines, gross, eligible = [], [], []
        for sku, price in chosen:
            quantity = 2 if rng.random() < 0.15 else 1
            lines.append(
                {"sku": sku, "quantity": quantity, "staff": rng.choice(self.store["staff"])}
            )
            gross.append(Decimal(price) * quantity)
            eligible.append(True)
        if self.store["services"] and rng.random() < SERVICE_LINE_SHARE:
            service, price = rng.choice(self.store["services"])
            lines.append({"kind": "service", "service": service, "quantity": 1})
            gross.append(Decimal(price))
            eligible.append(True)
        return lines, gross, eligible

    def payments(self, card: dict | None, total: Decimal) -> list[dict]:
        rng = self.rng
        left, payments = total, []
        if card is not None and left > 0:
            roll = rng.random()
            stored = card["stored_value"]
            if roll < 0.25 and stored >= left:
                payments.append({"method": "stored_value", "amount": str(left)})
                card["stored_value"] -= left
                return payments
            if roll < 0.40 and stored > 0:
                part = min(stored, (left / 2).quantize(CENT))
                if part > 0:
                    payments.append({"method": "stored_value", "amount": str(part)})
                    card["stored_value"] -= part
                    left -= part
            elif roll < 0.55:
                value = (Decimal(card["points"]) / FIXTURE["redeem_rate"]).quantize(CENT)
                covered = min(value, (left * Decimal("0.3"))).to_integral_value(ROUND_HALF_UP)
                covered = min(covered, value.to_integral_value(rounding=ROUND_FLOOR))
                if covered >= 1:
                    points = int(
                        (covered * FIXTURE["redeem_rate"]).to_integral_value(ROUND_CEILING)
                    )
                    payments.append({"method": "points", "amount": str(covered)})
                    card["points"] -= points
                    left -= covered
        if left > 0:
            method = rng.choices(MONEY_METHODS, MONEY_WEIGHTS)[0]
            payments.append({"method": method, "amount": str(left)})
        return payments

    @task
    def checkout(self) -> None:
        rng = self.rng
        lines, gross, eligible = self.basket()
        card = None
        if self.cards and rng.random() >= WALK_IN_SHARE:
            card = rng.choice(self.cards)
        percent = Decimal(card["percent"]) if card is not None else Decimal(0)
        discount = (
            sum((g for g, e in zip(gross, eligible, strict=True) if e), Decimal(0)) * percent / 100
        ).quantize(CENT, rounding=ROUND_HALF_UP)
        total = sum(gross, Decimal(0)) - discount
        body = {
            "reference": uuid.uuid4().hex,
            "store": self.store["id"],
            "lines": lines,
            "payments": self.payments(card, total),
        }
        if card is not None:
            body["customer"] = {"card_number": card["number"]}
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        started = time.monotonic()
        problem = ""
        try:
            with self.client.post(
                "/api/v1/orders/", json=body, headers=headers, catch_response=True
            ) as response:
                if response.status_code == 201:
                    response.success()
                else:
                    problem = str(response.status_code)
                    try:
                        error = response.json().get("error", {})
                        problem += f" {error.get('code', '')}".rstrip()
                        message = error.get("message", "")
                    except (ValueError, AttributeError):
                        message = response.text or ""
                    if "database is locked" in (message or ""):
                        problem += " database is locked"
                    response.failure(problem)
        except Exception as exc:  # noqa: BLE001 - every failure is a figure
            problem = f"{type(exc).__name__}"
        SAMPLES.append((started, (time.monotonic() - started) * 1000, problem))


@events.quitting.add_listener
def write_results(environment, **_kwargs) -> None:
    if not SAMPLES:
        figures = {"requests": 0, "per_second": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    else:
        first = min(s[0] for s in SAMPLES)
        kept = [s for s in SAMPLES if s[0] >= first + WARMUP]
        span = (max(s[0] + s[1] / 1000 for s in kept) - (first + WARMUP)) if kept else 0
        ok = sorted(ms for _start, ms, problem in kept if not problem)
        every = sorted(ms for _start, ms, _problem in kept)
        figures = {
            "requests": len(kept),
            "succeeded": len(ok),
            "measured_seconds": round(span, 1),
            "per_second": round(len(ok) / span, 1) if span else 0.0,
            "p50_ms": round(percentile(ok, 50), 1),
            "p95_ms": round(percentile(ok, 95), 1),
            "p99_ms": round(percentile(ok, 99), 1),
            "max_ms": round(every[-1], 1) if every else 0.0,
            "errors": dict(Counter(problem for _s, _ms, problem in kept if problem)),
            "errors_in_warmup": dict(
                Counter(
                    problem for start, _ms, problem in SAMPLES if problem and start < first + WARMUP
                )
            ),
        }
    with open(RESULTS, "w") as output:  # noqa: PTH123
        json.dump(figures, output)
