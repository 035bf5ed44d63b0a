"""The request context that services read for the audit trail: who acts, and from which IP.

The middleware sets it for every web and API request; commands and jobs set it with
``acting_as``. Services still take ``actor`` explicitly; the IP address is the part a service
cannot know, so it travels here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    actor: Any = None
    ip_address: str | None = None


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "guanxi_request_context",
    default=RequestContext(),  # noqa: B039 - frozen dataclass
)


def current() -> RequestContext:
    return _context.get()


@contextlib.contextmanager
def acting_as(actor: Any = None, ip_address: str | None = None) -> Iterator[RequestContext]:
    token = _context.set(RequestContext(actor=actor, ip_address=ip_address))
    try:
        yield _context.get()
    finally:
        _context.reset(token)
