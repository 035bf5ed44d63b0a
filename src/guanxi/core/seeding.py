"""Demo and benchmark data: a registry of seeders, one per domain, run in order by ``guanxi seed``.

A domain contributes a ``seeding`` module (``guanxi.<app>.seeding``) that calls
``seeder_register`` at import time. The command imports every such module that exists, then
``seed_run`` calls the seeders in ``order`` with one shared ``SeedContext``: the staff seeder
creates the stores and staff, the customers seeder hangs customers on them, and later domains
(catalog, orders, loyalty …) read what came before from the context and add their own rows.

Seeding is deterministic: every seeder draws its randomness from ``context.rng(name)`` and
``context.faker(locale, name)``, whose streams depend only on the seed and the seeder's name, and
every date is relative to ``context.today``. Adding a seeder therefore never changes the data of
the seeders before it.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.permissions import Role

# progress(label, done, total)
ProgressCallback = Callable[[str, int, int], None]

BATCH_SIZE = 5_000
# The demo business has three years of customer history; its stores opened in the year before.
HISTORY_DAYS = 3 * 365


def _no_progress(label: str, done: int, total: int) -> None:
    """The default progress callback: silence."""


@dataclass
class DemoAccount:
    """A login printed at the end of seeding."""

    role: str
    username: str
    full_name: str
    store: str = ""


@dataclass
class SeedContext:
    """What the seeders share. Seeders append what they create; later seeders read it."""

    seed: int
    customers: int
    store_count: int
    password: str
    today: datetime.date
    random: random.Random
    progress: ProgressCallback = _no_progress
    batch_size: int = BATCH_SIZE
    stores: list[Any] = field(default_factory=list)
    staff: list[Any] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """A random stream of its own for one seeder (or one part of it)."""
        return random.Random(f"guanxi-seed:{self.seed}:{name}")  # noqa: S311 - reproducible

    def faker(self, locale: str, name: str) -> Faker:
        """A Faker for one locale, seeded for one seeder. Use it to build pools, not per row."""
        fake = Faker(locale)
        fake.seed_instance(f"guanxi-seed:{self.seed}:{name}:{locale}")
        return fake

    @property
    def timezone(self) -> datetime.tzinfo:
        return timezone.get_current_timezone()

    @property
    def start_of_today(self) -> datetime.datetime:
        """Local midnight of ``today``: generated moments lie before it."""
        return datetime.datetime.combine(self.today, datetime.time(), tzinfo=self.timezone)

    def count(self, what: str, number: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + number


Seeder = Callable[[SeedContext], None]


@dataclass(frozen=True)
class SeederEntry:
    name: str
    order: int
    function: Seeder


SEEDERS: dict[str, SeederEntry] = {}


def seeder_register(name: str, order: int, function: Seeder) -> None:
    """Add (or replace) a domain's seeder. Lower ``order`` runs first; staff is 10, customers 20."""
    SEEDERS[name] = SeederEntry(name=name, order=order, function=function)


def seeders() -> list[SeederEntry]:
    return sorted(SEEDERS.values(), key=lambda entry: (entry.order, entry.name))


def demo_password(seed: int) -> str:
    """The demo password for a seed: easy to type, the same every time for the same seed."""
    rng = random.Random(f"guanxi-seed:{seed}:password")  # noqa: S311 - a demo, not a secret
    words = ("jade", "lotus", "peony", "orchid", "bamboo", "camellia", "jasmine", "osmanthus")
    return f"{rng.choice(words)}-{rng.randrange(1000, 10000)}-{rng.choice(words)}"


def has_owner() -> bool:
    """Whether the database already has an owner, i.e. has been set up or seeded."""
    return get_user_model().objects.filter(role=Role.OWNER).exists()


@contextlib.contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the ``created_at``/``updated_at`` values the seeder sets.

    ``auto_now_add``/``auto_now`` fields overwrite any value on insert; demo data needs a
    history, so for the duration of the block those fields take the value given. The command
    runs single-threaded, and the flags are restored however the block ends.
    """
    saved: list[tuple[models.DateTimeField, bool, bool]] = []
    for model_class in model_classes:
        for model_field in model_class._meta.concrete_fields:
            if isinstance(model_field, models.DateField) and (
                model_field.auto_now or model_field.auto_now_add
            ):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def bulk_insert(
    context: SeedContext,
    model_class: type[models.Model],
    rows: Iterator[models.Model],
    *,
    total: int,
    label: str,
) -> int:
    """Insert ``rows`` in batches of ``context.batch_size``, reporting progress after each."""
    done = 0
    batch: list[models.Model] = []
    context.progress(label, 0, total)
    for row in rows:
        batch.append(row)
        if len(batch) >= context.batch_size:
            model_class._default_manager.bulk_create(batch)
            done += len(batch)
            batch.clear()
            context.progress(label, done, total)
    if batch:
        model_class._default_manager.bulk_create(batch)
        done += len(batch)
        context.progress(label, done, total)
    return done


def summary(context: SeedContext) -> str:
    """``"5 stores, 18 staff members, 200 customers"``: the counts in the order they came."""
    return ", ".join(f"{number:,} {what}" for what, number in context.counts.items())


def seed_run(
    *,
    customers: int,
    seed: int,
    store_count: int = 5,
    password: str | None = None,
    today: datetime.date | None = None,
    progress: ProgressCallback = _no_progress,
    batch_size: int = BATCH_SIZE,
) -> SeedContext:
    """Run every registered seeder in one transaction and write one audit row summing it up.

    All or nothing: an interrupted seed leaves the database as it was, so it can be run again.
    """
    if customers < 0:
        raise ValueError("customers must not be negative")
    if store_count < 1:
        raise ValueError("store_count must be at least 1")
    context = SeedContext(
        seed=seed,
        customers=customers,
        store_count=store_count,
        password=password or demo_password(seed),
        today=today or timezone.localdate(),
        random=random.Random(f"guanxi-seed:{seed}"),  # noqa: S311 - reproducible
        progress=progress,
        batch_size=batch_size,
    )
    with transaction.atomic():
        for entry in seeders():
            entry.function(context)
        audit_record(
            action=AuditAction.CREATE,
            actor=None,
            object_type="seed",
            object_pk=str(seed),
            object_repr=f"Demo data (seed {seed})",
            changes={"seed": seed, "counts": context.counts},
            # Cut the counts, not the seed, when many seeders make the summary long.
            message=f"Seeded {summary(context)}"[: 300 - len(f" (seed {seed}).")]
            + f" (seed {seed}).",
        )
    # Fresh statistics, so that the query planner knows the tables are no longer empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return context
