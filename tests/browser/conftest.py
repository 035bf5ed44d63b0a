"""Browser tests: the real pages, served by ``live_server``, driven in headless Chromium.

Run them with ``make test-browser`` (``pytest -m browser -p no:xdist``). They use the Chromium of
the operating system (Debian's ``chromium`` package); Playwright never downloads a browser here.
Set ``GUANXI_SCREENSHOTS=1`` to (re)write the README screenshots under ``docs/screenshots/``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, sync_playwright

from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.staff.tests.factories import StoreFactory, UserFactory

from .helpers import DESKTOP, PHONE, SCREENSHOT_DIR, TIMEOUT_MS, watch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium package (see .ci/run).")
    # Playwright's sync API runs an asyncio event loop in the test thread for as long as it is
    # started. Django then believes every ORM call in the test (the factories, refresh_from_db)
    # comes from async code and raises SynchronousOnlyOperation. The calls are in fact plain
    # synchronous code in one thread, so the check is switched off, but only while a browser
    # session exists: the rest of the suite keeps Django's protection.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Playwright talks to its driver and to Chromium through pipes, and Chromium to the live
    # server over 127.0.0.1, so pytest-socket's --allow-hosts=127.0.0.1 is all they need.
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open_page(browser: Browser, live_server, **context_options) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en-US", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch(page)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A desktop-sized page in a fresh browser context (no cookies) on the live server."""
    yield from _open_page(browser, live_server, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """A 375 × 812 touch screen, the size of a small phone."""
    yield from _open_page(
        browser,
        live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def staff_owner(transactional_db):
    """An owner whose name shows on the dashboard (the data is created here, not seeded)."""
    return UserFactory(username="li.na", full_name="李娜", role=Role.OWNER)


SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN_NAMES = ("芳", "静", "丽", "敏", "婷", "雪", "琳", "悦")
MEMBERS = 48  # 16 per store, registered over the last 30 days


@dataclass(frozen=True)
class Shop:
    stores: list[Any]
    manager: Any
    customers: list[Any]


@pytest.fixture
def shop(staff_owner) -> Shop:
    """Three stores, a store manager and 48 members who registered over the last 30 days: enough
    for the dashboard and the lists to look like a business (and for the README screenshots)."""
    stores = [
        StoreFactory(name="上海南京路店", code="sh01"),
        StoreFactory(name="杭州西湖店", code="hz01"),
        StoreFactory(name="蘇州觀前店", code="sz01"),
    ]
    manager = UserFactory(
        username="zhang.wei", full_name="张伟", role=Role.STORE_MANAGER, stores=[stores[0]]
    )
    now = timezone.now()
    customers = []
    for i in range(MEMBERS):
        customer = CustomerFactory(
            full_name=SURNAMES[i % 10] + GIVEN_NAMES[i // 10 % 8],
            phone=f"+86138{i + 1:08d}",
            home_store=stores[i % 3],
            responsible_staff=manager if i % 3 == 0 else None,
            birthday=datetime.date(1970 + i % 30, i % 12 + 1, i % 28 + 1),
        )
        customers.append(customer)
    # Spread the registrations over the month (created_at is set on insert, so it is moved after).
    for i, customer in enumerate(customers):
        registered = now - datetime.timedelta(days=(i * 7) % 30, hours=i % 5)
        Customer.objects.filter(pk=customer.pk).update(created_at=registered)
    return Shop(stores=stores, manager=manager, customers=customers)


# ECharts animates its charts on canvas, which Playwright's animations="disabled" does not reach:
# switch the animation off and wait until every chart has drawn its final frame.
SETTLE_CHARTS = """
() => Promise.all(
  [...document.querySelectorAll("[_echarts_instance_]")].map((element) => new Promise((done) => {
    const chart = window.echarts.getInstanceByDom(element);
    chart.on("finished", done);
    chart.setOption({animation: false});
    setTimeout(done, 3000);
  }))
)
"""


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Save a README screenshot, but only when GUANXI_SCREENSHOTS=1, so test runs do not rewrite
    the committed images."""

    def take(page: Page, name: str) -> None:
        if os.environ.get("GUANXI_SCREENSHOTS") != "1":
            return
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.evaluate(SETTLE_CHARTS)
        page.screenshot(path=str(SCREENSHOT_DIR / name), animations="disabled", caret="hide")

    return take
