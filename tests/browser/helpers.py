"""What the browser tests share besides fixtures: signing in, and checks every page must pass."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

PASSWORD = "correct horse battery"  # the password UserFactory gives every staff member
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000  # generous: the machine that runs the suite may be busy
# Browsers ask for /favicon.ico on their own; the site does not serve one, and that is no fault of
# the page under test.
IGNORED_PATHS = ("/favicon.ico",)

expect.set_options(timeout=TIMEOUT_MS)


def _ignored(url: str) -> bool:
    return url.split("?")[0].endswith(IGNORED_PATHS)


@dataclass
class PageProblems:
    """What went wrong while pages loaded: failed requests, HTTP errors, JavaScript errors."""

    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def as_list(self) -> list[str]:
        return [*self.failed_requests, *self.error_responses, *self.console_errors]


_PROBLEMS: weakref.WeakKeyDictionary[Page, PageProblems] = weakref.WeakKeyDictionary()


def watch(page: Page) -> None:
    """Record every failed request, HTTP error and JavaScript error of ``page``."""
    problems = _PROBLEMS[page] = PageProblems()

    def on_failed(request: Request) -> None:
        # ERR_ABORTED is a request cancelled because the page navigated away before it finished;
        # a missing file shows up as an error response instead.
        if not _ignored(request.url) and request.failure != "net::ERR_ABORTED":
            problems.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        # A 4xx answer to a page or form is the application speaking (a wrong password, a 404
        # for another store's customer); a missing stylesheet or script is a broken page.
        if _ignored(response.url):
            return
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            problems.error_responses.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _ignored(message.location.get("url", "")):
            problems.console_errors.append(message.text)

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.console_errors.append(str(error)))


def assert_no_page_problems(page: Page) -> None:
    problems = _PROBLEMS[page].as_list()
    assert problems == [], "the page had problems:\n" + "\n".join(problems)


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.viewport_size["width"] if page.viewport_size else 0
    assert scroll_width <= viewport_width, f"{page.url} scrolls sideways: {scroll_width} px"


def sign_in(page: Page, *, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form by its labels, as a person would."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # and wait until the next page has loaded
        page.get_by_role("button", name="Sign in", exact=True).click()
