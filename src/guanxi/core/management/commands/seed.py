"""``guanxi seed``: fill the database with demo or benchmark data, the same for the same seed."""

from __future__ import annotations

import datetime
import importlib
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.module_loading import module_has_submodule

from guanxi.core.permissions import Role
from guanxi.core.seeding import SeedContext, demo_password, has_owner, seed_run, summary

DEMO_URL = "http://127.0.0.1:8000"


def seeding_modules() -> list[str]:
    """``guanxi.<app>.seeding`` for every Guanxi app that has one (they register on import)."""
    return [
        f"{config.name}.seeding"
        for config in apps.get_app_configs()
        if config.name.startswith("guanxi.") and module_has_submodule(config.module, "seeding")
    ]


def _plain(text: str) -> str:
    return text


class Progress:
    """Progress on stderr: one line updated in place on a terminal, a line every few seconds
    otherwise (a log file)."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.label = ""
        self.started = 0.0
        self.last_shown = 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label != self.label:  # each seeder's rate is its own
            self.label, self.started, self.last_shown = label, now, 0.0
        finished = done >= total
        if not finished and now - self.last_shown < (0.2 if self.tty else 5.0):
            return
        self.last_shown = now
        elapsed = now - self.started
        percent = 100 * done // total if total else 100
        rate = f", {done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
        line = f"{label}: {done:,}/{total:,} ({percent}%) {elapsed:.1f}s{rate}"
        text = f"\r\033[K{line}" + ("\n" if finished else "") if self.tty else f"{line}\n"
        self.stream.write(text, style_func=_plain, ending="")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Create demo data: the organisation, stores, staff of every role and N customers. "
        "The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000, help="customers to create")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--stores", type=int, default=5, help="stores to create (default 5)")
        parser.add_argument(
            "--password",
            default="",
            help="password of every demo account (default: derived from the seed)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing but print the login when the database already has an owner",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="reference date for generated dates, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customers: int = options["customers"]
        store_count: int = options["stores"]
        password: str = options["password"] or demo_password(options["seed"])
        if settings.PRODUCTION and not options["password"]:
            raise CommandError(
                "In production, give the demo accounts a password of your own with --password."
            )
        if customers < 0:
            raise CommandError("--customers must not be negative.")
        if not 1 <= store_count <= 500:
            raise CommandError("--stores must be between 1 and 500.")

        if has_owner():
            if options["if_empty"]:
                self.stdout.write("The database already has data; nothing was seeded.")
                self.print_existing_login(password)
                return
            raise CommandError(
                "The database already has an owner. Seed a fresh database, "
                "or pass --if-empty to leave it as it is."
            )

        for module in seeding_modules():
            importlib.import_module(module)
        started = time.monotonic()
        context = seed_run(
            customers=customers,
            seed=options["seed"],
            store_count=store_count,
            password=password,
            today=options["today"],
            progress=Progress(self.stderr),
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary(context)} in {elapsed:.1f}s (seed {context.seed})."
            )
        )
        self.print_login(context)

    def print_login(self, context: SeedContext) -> None:
        owner = next(a for a in context.accounts if a.role == Role.OWNER)
        self.stdout.write("")
        self.stdout.write(f"Open {DEMO_URL} and sign in as the owner:")
        self.stdout.write(f"    username: {owner.username}")
        self.stdout.write(f"    password: {context.password}")
        others = [a for a in context.accounts if a.role != Role.OWNER]
        if others:
            self.stdout.write("Other demo accounts (same password), one per role:")
            for account in others:
                where = f", {account.store}" if account.store else ""
                self.stdout.write(
                    f"    {account.username:<20} {Role(account.role).label}{where}"
                    f" — {account.full_name}"
                )

    def print_existing_login(self, password: str) -> None:
        owners = list(
            get_user_model().objects.filter(role=Role.OWNER, is_active=True).order_by("pk")
        )
        self.stdout.write(f"Open {DEMO_URL} and sign in as the owner:")
        demo_owner = next((o for o in owners if o.username == "owner"), None)
        if demo_owner is not None and demo_owner.check_password(password):
            self.stdout.write("    username: owner")
            self.stdout.write(f"    password: {password}")
            return
        self.stdout.write(f"    username: {', '.join(o.username for o in owners)}")
        self.stdout.write("    password: the one set for that account (not the demo password)")
