"""htmx partial updates, end to end: the browser swaps the server's partial into the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from guanxi.core.jobs import job_create, job_finish, job_progress, job_start

from .helpers import assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser


def test_job_progress_bar_follows_the_job_until_it_finishes(page: Page, staff_owner):
    # given a queued job and its page open in the browser
    job = job_create(kind="customers.import", title="Import of 200 customers", actor=staff_owner)
    sign_in(page, username="li.na")
    page.goto(f"/jobs/{job.pk}/")
    progress = page.locator(f"#job-{job.pk}")
    expect(progress).to_contain_text("Queued")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")

    # when the worker reports progress
    job_start(job_id=job.pk, total=200)
    job_progress(job_id=job.pk, done=50)

    # then the polled partial replaces the progress bar in place
    expect(progress).to_contain_text("Running")
    expect(progress).to_contain_text("50 / 200")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "25")

    # when the job finishes
    job_finish(job_id=job.pk, result={"created": 200})

    # then the bar shows 100 %, the polling stops, and the page around it was never replaced
    expect(progress).to_contain_text("Finished")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(progress).not_to_have_attribute("hx-get", f"/jobs/{job.pk}/")
    expect(page.locator("nav.navbar")).to_have_count(1)
    expect(page.locator(".job-progress")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of 200 customers")
    assert_no_page_problems(page)


def test_customer_list_filters_in_place(page: Page, shop, screenshot):
    # given the owner on the customer list of three stores' 48 members
    sign_in(page, username="li.na")
    page.goto("/customers/")
    expect(page.locator("#customer-count")).to_have_text("48 customers")
    expect(page.locator("#customer-results tbody tr")).to_have_count(25)  # the first page
    screenshot(page, "customers.png")
    page.evaluate("window.notReloaded = true")

    # when they type a name into the search field
    page.get_by_label("Search").fill("周敏")

    # then the rows are replaced in place by the one match, and the address keeps the filter
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    rows = page.locator("#customer-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link").first).to_have_text("周敏")
    expect(page).to_have_url(re.compile(r"/customers/\?.*q=%E5%91%A8%E6%95%8F"))

    # when they clear the search and choose a store instead
    page.get_by_label("Search").fill("")
    expect(page.locator("#customer-count")).to_have_text("48 customers")
    page.get_by_label("Store").select_option(label="杭州西湖店")

    # then only that store's 16 members are listed, all from that store
    expect(page.locator("#customer-count")).to_have_text("16 customers")
    stores = page.locator("#customer-results tbody tr td:nth-child(4)").all_inner_texts()
    assert stores == ["杭州西湖店"] * 16

    # and all of it happened without reloading the page, in one page shell
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("nav.navbar")).to_have_count(1)
    expect(page.locator("#customer-filters")).to_have_count(1)
    assert_no_page_problems(page)
