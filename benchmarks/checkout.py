"""The checkout benchmark: a fleet of tills sends ``POST /api/v1/orders/`` to gunicorn.

``bench(database, env, result)`` is called by ``benchmarks.run`` after the page timings, on the
database it seeded:

1. **prepare** (a child process with Django): one API token per store for a sales member of the
   store (``api_token_create``), ``CARDS`` member cards of single members spread over the
   stores, each topped up with stored value (``stored_value_topup``) and set to the top tier
   (``tier_evaluate``, reason "set by hand") so that no sale of the run changes its discount
   (the till computes the total as the server does), and each store's prices (``price_for``).
   Written to a JSON fixture; the cards' balances are read again before each phase.
2. **gunicorn** on 127.0.0.1 with the workers and threads of ``SERVER``, its log kept.
3. **locust** headless (``locust_checkout.py``, ``FastHttpUser``) in two phases: *paced* — the
   tills together offer ``RATE`` checkouts a second, the load of a busy chain — and
   *saturated* — ``USERS`` tills with no pause, the most the server does. Baskets of 1–4 lines
   with the serving staff member, paid by mobile payment, bank card or cash, stored value
   (whole or part) and points; some walk-in sales without a card. Every request has its own
   ``Idempotency-Key`` and order reference.
4. ``ledger_reconcile()`` afterwards (a child process): the drift must be 0. The gunicorn log is
   searched for "database is locked".

Environment: ``GUANXI_BENCH_CHECKOUT`` (``0`` skips it), ``GUANXI_BENCH_CHECKOUT_SECONDS`` (per
phase, default 60, of which the first 10 warm up), ``GUANXI_BENCH_CHECKOUT_RATE`` (150),
``GUANXI_BENCH_CHECKOUT_USERS`` (32), ``GUANXI_BENCH_GUNICORN_WORKERS`` and
``GUANXI_BENCH_GUNICORN_THREADS`` (default 4 × 2 on PostgreSQL, 1 × 1 on SQLite: see ``SERVER``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("GUANXI_BENCH_CHECKOUT_SECONDS", "60"))
WARMUP_SECONDS = 10
RATE = float(os.environ.get("GUANXI_BENCH_CHECKOUT_RATE", "150"))
USERS = int(os.environ.get("GUANXI_BENCH_CHECKOUT_USERS", "32"))
PACED_USERS = 64  # tills of the paced phase, each at RATE / PACED_USERS a second
# gunicorn per database, as each should be run: PostgreSQL takes many writers at once; SQLite
# takes one at a time, and a checkout holds the write lock for its whole transaction, so more
# than one writer only adds waiting on the busy timeout (SQLite's busy handler sleeps up to
# 100 ms between tries: at 4 × 2 the workers used less than one of the two cores, p95 was over
# 20 s and some requests ran out of the timeout with "database is locked"). One sync worker
# serves the checkouts one after the other; the tills' requests wait in the listen queue.
SERVER = {"postgresql": (4, 2), "sqlite": (1, 1)}


def server_shape(key: str) -> tuple[int, int]:
    """Workers and threads of gunicorn for a database (``GUANXI_BENCH_GUNICORN_*`` win)."""
    workers, threads = SERVER.get(key, (4, 2))
    return (
        int(os.environ.get("GUANXI_BENCH_GUNICORN_WORKERS", "") or workers),
        int(os.environ.get("GUANXI_BENCH_GUNICORN_THREADS", "") or threads),
    )


CARDS = 640
TOPUP = "3000.00"
ENABLED = os.environ.get("GUANXI_BENCH_CHECKOUT", "1") != "0"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- In the child process, with Django --------------------------------------------------------


def prepare(path: Path) -> dict[str, Any]:
    """Tokens, cards with balances and headroom, prices: what the tills need to sell."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from guanxi.catalog.models import Product, Service
    from guanxi.catalog.selectors import price_for
    from guanxi.core.permissions import Role
    from guanxi.loyalty.choices import CardStatus, TierChangeReason
    from guanxi.loyalty.models import MemberCard, TierLevel
    from guanxi.loyalty.selectors import loyalty_settings_get
    from guanxi.loyalty.services import stored_value_topup
    from guanxi.loyalty.services.tiers import tier_evaluate
    from guanxi.orders.models import Order
    from guanxi.staff.models import Store, User
    from guanxi.staff.services.tokens import api_token_create

    owner = User.objects.filter(role=Role.OWNER, is_active=True).order_by("pk").first()
    top = TierLevel.objects.order_by("-threshold").first()
    today = timezone.localdate()
    products = list(Product.objects.filter(is_active=True).order_by("sku"))
    services = list(Service.objects.filter(is_active=True).order_by("pk"))
    stores = []
    all_stores = list(Store.objects.filter(is_active=True).order_by("pk"))
    per_store = max(1, CARDS // max(1, len(all_stores)))
    with transaction.atomic():
        for store in all_stores:
            sellers = list(
                User.objects.filter(stores=store, is_active=True, role__in=[Role.SALES])
                .order_by("username")
                .values_list("username", flat=True)
            )
            till = User.objects.filter(stores=store, role=Role.SALES, is_active=True).first()
            if till is None:
                continue
            _token, key = api_token_create(user=till, name="Checkout benchmark", actor=owner)
            candidates = list(
                MemberCard.objects.filter(
                    status=CardStatus.ACTIVE,
                    membership__store=store,
                    membership__customer__isnull=False,
                    membership__customer__erased_at__isnull=True,
                )
                .select_related("membership__tier")
                .order_by("pk")[:per_store]
            )
            cards = []
            for card in candidates[:per_store]:
                # On the top tier, no sale of the run moves the card to another tier, so the
                # till knows the discount the server will give.
                if top is not None and card.membership.tier_id != top.pk:
                    tier_evaluate(
                        membership=card.membership,
                        spend=top.threshold,
                        reason=TierChangeReason.MANUAL,
                        actor=owner,
                    )
                stored_value_topup(
                    card=card, amount=Decimal(TOPUP), payment="Benchmark", actor=owner
                )
                cards.append(card_figures(card))
            stores.append(
                {
                    "id": store.pk,
                    "token": key,
                    "staff": sellers,
                    "products": [
                        [p.sku, str(price_for(item=p, store=store, at=today))] for p in products
                    ],
                    "services": [
                        [s.pk, str(price_for(item=s, store=store, at=today))] for s in services
                    ],
                    "cards": cards,
                }
            )
    fixture = {
        "stores": stores,
        "redeem_rate": loyalty_settings_get().points_redeem_rate,
        "orders_before": Order.objects.count(),
    }
    path.write_text(json.dumps(fixture))
    return fixture


def card_figures(card: Any) -> dict[str, Any]:
    """What the till knows of a card: its tier discount and its balances."""
    from guanxi.loyalty.models import MemberCard, TierLevel
    from guanxi.loyalty.selectors import card_balances

    card = MemberCard.objects.select_related("membership__tier").get(pk=card.pk)
    level = card.membership.tier or TierLevel.objects.order_by("rank").first()
    balances = card_balances(card)
    return {
        "number": card.number,
        "percent": str(level.discount_percent if level else 0),
        "points": int(balances["points"]),
        "stored_value": str(balances["stored_value_principal"] + balances["stored_value_bonus"]),
    }


def refresh(path: Path) -> dict[str, Any]:
    """The cards' balances and tiers again, after a phase spent some of them."""
    from guanxi.loyalty.models import MemberCard

    fixture = json.loads(path.read_text())
    for store in fixture["stores"]:
        numbers = [card["number"] for card in store["cards"]]
        cards = {c.number: c for c in MemberCard.objects.filter(number__in=numbers)}
        store["cards"] = [card_figures(cards[number]) for number in numbers]
    path.write_text(json.dumps(fixture))
    return fixture


def reconcile() -> dict[str, Any]:
    from guanxi.loyalty.services import ledger_reconcile
    from guanxi.orders.choices import OrderSource
    from guanxi.orders.models import Order

    drift = ledger_reconcile()
    return {
        "drift": len(drift),
        "drift_accounts": [d.account.pk for d in drift[:20]],
        "orders_api": Order.objects.filter(source=OrderSource.API).count(),
    }


# --- In the orchestrator ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own 127.0.0.1
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer at {url} within {seconds:.0f}s")


def child(env: dict[str, str], *args: str) -> Any:
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.checkout", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def locust_phase(
    name: str, env: dict[str, str], host: str, users: int, pace: float, var: Path
) -> dict[str, Any]:
    results = var / f"checkout-{name}.json"
    results.unlink(missing_ok=True)
    locust_env = dict(env)
    locust_env.update(
        GUANXI_BENCH_CHECKOUT_FIXTURE=str(var / "checkout-fixture.json"),
        GUANXI_BENCH_CHECKOUT_RESULTS=str(results),
        GUANXI_BENCH_CHECKOUT_PACE=str(pace),
        GUANXI_BENCH_CHECKOUT_WARMUP=str(WARMUP_SECONDS),
    )
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "benchmarks" / "locust_checkout.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{SECONDS}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with (var / f"checkout-{name}-locust.log").open("w") as output:
        subprocess.run(  # noqa: S603
            command, env=locust_env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    if not results.exists():
        raise RuntimeError(f"locust wrote no results; see {var / f'checkout-{name}-locust.log'}")
    figures = json.loads(results.read_text())
    figures.update(users=users, offered_per_second=round(pace * users, 1) if pace else None)
    return figures


def bench(database: Any, env: dict[str, str], result: dict[str, Any], var: Path) -> None:
    """Run the checkout benchmark on ``database`` and put its figures in ``result["checkout"]``."""
    workers, threads = server_shape(database.key)
    figures: dict[str, Any] = {
        "workers": workers,
        "threads": threads,
        "seconds": SECONDS,
        "warmup_seconds": WARMUP_SECONDS,
    }
    result["checkout"] = figures
    log(f"{database.label}: checkout benchmark: preparing tills and cards")
    fixture = child(env, "prepare", str(var / "checkout-fixture.json"))
    figures["cards"] = sum(len(s["cards"]) for s in fixture["stores"])
    figures["stores"] = len(fixture["stores"])
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server_log = var / f"{database.key}-gunicorn.log"
    server_env = dict(env)
    server_env["LOG_LEVEL"] = "ERROR"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "guanxi.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--error-logfile",
        "-",
    ]
    with server_log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            command, env=server_env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(f"{host}/healthz", server)
            for name, users, pace in (
                ("paced", PACED_USERS, RATE / PACED_USERS),
                ("saturated", USERS, 0.0),
            ):
                log(f"{database.label}: checkout benchmark: {name} phase, {users} tills")
                child(env, "refresh", str(var / "checkout-fixture.json"))
                figures[name] = locust_phase(name, env, host, users, pace, var)
                # The machine's load: the server, locust and whatever else runs beside them.
                figures[name]["load_average"] = [round(x, 2) for x in os.getloadavg()]
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    text = server_log.read_text(errors="replace")
    figures["server_database_is_locked"] = text.count("database is locked")
    figures["server_tracebacks"] = text.count("Traceback (most recent call last)")
    after = child(env, "reconcile")
    figures["drift"] = after["drift"]
    figures["orders_written"] = after["orders_api"]
    log(
        f"{database.label}: checkout benchmark: "
        + ", ".join(
            f"{name} {figures[name]['per_second']:.0f}/s p95 {figures[name]['p95_ms']:.0f} ms"
            for name in ("paced", "saturated")
            if name in figures
        )
        + f", drift {figures['drift']}"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.config.settings")
    import django

    django.setup()
    action = sys.argv[1]
    if action == "prepare":
        fixture = prepare(Path(sys.argv[2]))
        json.dump({"stores": fixture["stores"]}, sys.stdout)
    elif action == "refresh":
        fixture = refresh(Path(sys.argv[2]))
        json.dump({"stores": fixture["stores"]}, sys.stdout)
    elif action == "reconcile":
        json.dump(reconcile(), sys.stdout)
    else:
        raise SystemExit(f"unknown action {action!r}")


if __name__ == "__main__":
    main()
