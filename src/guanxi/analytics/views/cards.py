"""A card of an analytics page: a chart, the table behind it one click away, and its CSV.

Each card is built by one function from a :class:`PageContext` (the user, the store filter, the
last run and the page's parameters) and registered under its key, so the page and the CSV
export (``analytics:table-csv``) show exactly the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from guanxi.analytics.models import AnalyticsRun
from guanxi.analytics.views.tables import Table


@dataclass(frozen=True)
class PageContext:
    user: Any
    run: AnalyticsRun | None
    store_id: int | None = None
    params: dict[str, str] = field(default_factory=dict)

    def query(self, **extra: Any) -> str:
        """The page's parameters (and ``extra``) as a query string, for links and the CSV."""
        values = {k: v for k, v in self.params.items() if v not in (None, "")}
        if self.store_id is not None:
            values["store"] = str(self.store_id)
        values.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(values)

    def customers_url(self, **definition: Any) -> str:
        """The list of the customers of one group (a cell, a segment, a decile ...)."""
        if self.store_id is not None:
            definition = {**definition, "store": self.store_id}
        return reverse("analytics:customer-list") + "?" + urlencode(definition)


@dataclass
class Card:
    key: str
    table: Table
    chart: dict[str, Any] | None = None  # an ECharts option
    description: Any = ""
    wide: bool = True
    csv_query: str = ""
    personal: bool = False  # lists customers: its CSV needs customers.export

    @property
    def title(self) -> Any:
        return self.table.title

    @property
    def csv_url(self) -> str:
        url = reverse("analytics:table-csv", kwargs={"table": self.key})
        return f"{url}?{self.csv_query}" if self.csv_query else url


Builder = Callable[[PageContext], Card]
CARDS: dict[str, Builder] = {}


def card(key: str) -> Callable[[Builder], Builder]:
    """Register a card builder under ``key``."""

    def register(builder: Builder) -> Builder:
        def build(context: PageContext) -> Card:
            built = builder(context)
            built.key = key
            built.csv_query = context.query()
            return built

        CARDS[key] = build
        return build

    return register


def params_from(query: QueryDict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: query.get(name, "")[:40] for name in names if query.get(name)}
