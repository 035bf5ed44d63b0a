"""Cards of the rules, cohorts and forecast pages. All three are business-wide results of the
last run (the store forecasts excepted, which each store's staff see for their stores)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.analytics.selectors_pages import item_names, run_results, sees_every_store
from guanxi.analytics.views.cards import Card, PageContext, card
from guanxi.analytics.views.tables import (
    DATE,
    INT,
    LINK,
    MONEY,
    NUMBER,
    SHARE,
    TEXT,
    Column,
    Table,
    display,
)
from guanxi.catalog.selectors import category_list
from guanxi.core.permissions import store_ids
from guanxi.staff.selectors import store_list

RULES_SHOWN = 200


def _business(context: PageContext, key: str) -> Any:
    return run_results(context.run, key) if sees_every_store(context.user) else None


def _note(context: PageContext) -> str:
    if not sees_every_store(context.user):
        return _("This table covers the whole business; it is shown to staff of every store.")
    if context.run is None:
        return _("No figures yet: refresh the analysis first.")
    return ""


def _ids(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _named(ids: Any, names: Mapping[int, str]) -> str:
    return " + ".join(names.get(int(i), str(i)) for i in _ids(ids) if i is not None)


def _rules_card(context: PageContext, level: str, key: str, title: Any) -> Card:
    rules = _business(context, "rules")
    rows = rules.get(level, []) if isinstance(rules, Mapping) else []
    rows = rows[:RULES_SHOWN]
    names = item_names(
        level, [i for r in rows for f in ("antecedent", "consequent") for i in _ids(r.get(f))]
    )
    table = Table(
        key=key,
        title=title,
        columns=[
            Column("antecedent", gettext_lazy("Bought"), TEXT),
            Column("consequent", gettext_lazy("Also bought"), TEXT),
            Column("count", gettext_lazy("Baskets"), INT),
            Column("support", gettext_lazy("Support"), SHARE),
            Column("confidence", gettext_lazy("Confidence"), SHARE),
            Column("lift", gettext_lazy("Lift"), NUMBER),
        ],
        rows=[
            {
                "antecedent": _named(r.get("antecedent"), names),
                "consequent": _named(r.get("consequent"), names),
                "count": r.get("count"),
                "support": r.get("support"),
                "confidence": r.get("confidence"),
                "lift": r.get("lift"),
            }
            for r in rows
        ],
        note=_note(context),
    )
    return Card(
        key=key,
        table=table,
        description=_(
            "Confidence: of the baskets with the first items, the share that also hold the "
            "last. Lift above 1: they go together more often than by chance."
        ),
    )


@card("rules-product")
def product_rules_card(context: PageContext) -> Card:
    return _rules_card(context, "product", "rules-product", _("Products bought together"))


@card("rules-category")
def category_rules_card(context: PageContext) -> Card:
    return _rules_card(context, "category", "rules-category", _("Categories bought together"))


@card("sequences")
def sequences_card(context: PageContext) -> Card:
    rows = (_business(context, "sequences") or [])[:RULES_SHOWN]
    names = {
        level: item_names(
            level,
            [
                i
                for r in rows
                if r.get("level", "product") == level
                for i in (r.get("antecedent"), r.get("consequent"))
            ],
        )
        for level in ("product", "category")
    }
    levels = {"product": _("Product"), "category": _("Category")}
    table = Table(
        key="sequences",
        title=_("Bought next"),
        columns=[
            Column("level", gettext_lazy("Of"), TEXT),
            Column("antecedent", gettext_lazy("Customers who bought"), TEXT),
            Column("consequent", gettext_lazy("Bought next"), TEXT),
            Column("window_days", gettext_lazy("Within (days)"), INT),
            Column("probability", gettext_lazy("Probability"), SHARE),
            Column("customers", gettext_lazy("Customers"), INT),
            Column("lift", gettext_lazy("Lift"), NUMBER),
        ],
        rows=[
            {
                "level": levels.get(r.get("level", "product"), r.get("level")),
                "antecedent": _named(r.get("antecedent"), names.get(r.get("level", "product"), {})),
                "consequent": _named(r.get("consequent"), names.get(r.get("level", "product"), {})),
                "window_days": r.get("window_days"),
                "probability": r.get("probability"),
                "customers": r.get("customers"),
                "lift": r.get("lift"),
            }
            for r in rows
        ],
        note=_note(context),
    )
    return Card(
        key="sequences",
        table=table,
        description=_(
            "Customers who bought the first went on to buy the second within the window, with "
            "this probability."
        ),
    )


def _cohorts(
    context: PageContext,
) -> tuple[list[str], int, dict[str, dict[int, Mapping[str, Any]]]]:
    """The retention matrix of the last run: the cohort months, the width (months since) and
    the cells by cohort and month."""
    cohorts = _business(context, "cohorts")
    cells = cohorts.get("cells", []) if isinstance(cohorts, Mapping) else []
    matrix: dict[str, dict[int, Mapping[str, Any]]] = {}
    width = 0
    for cell in cells:
        month = str(cell.get("cohort_month"))[:7]
        since = int(cell.get("months_since") or 0)
        matrix.setdefault(month, {})[since] = cell
        width = max(width, since + 1)
    return sorted(matrix), width, matrix


def _cohort_table(context: PageContext, key: str, title: Any, measure: str, kind: str) -> Table:
    months, width, matrix = _cohorts(context)
    columns = [
        Column("cohort", gettext_lazy("First purchase"), TEXT),
        Column("size", gettext_lazy("Customers"), INT),
        *(Column(f"m{m}", _("Month %(number)s") % {"number": m}, kind) for m in range(width)),
    ]
    rows = []
    for month in months:
        cells = matrix[month]
        first = next(iter(cells.values()))
        rows.append(
            {
                "cohort": month,
                "size": first.get("cohort_size"),
                **{f"m{m}": cells[m].get(measure) if m in cells else None for m in range(width)},
            }
        )
    return Table(key=key, title=title, columns=columns, rows=rows, note=_note(context))


@card("cohorts-retention")
def retention_card(context: PageContext) -> Card:
    table = _cohort_table(context, "cohorts-retention", _("Retention"), "retention", SHARE)
    months, width, matrix = _cohorts(context)
    data = [
        [since, row, round(float(cell.get("retention") or 0) * 100, 1)]
        for row, month in enumerate(months)
        for since, cell in sorted(matrix[month].items())
    ]
    chart = None
    if data:
        chart = {
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 8, "top": 8, "bottom": 64, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [str(m) for m in range(width)],
                "name": _("Months since the first purchase"),
                "nameLocation": "middle",
                "nameGap": 24,
            },
            "yAxis": {"type": "category", "data": months, "inverse": True},
            "visualMap": {
                "min": 0,
                "max": 100,
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
            },
            "series": [
                {
                    "name": _("Retention"),
                    "type": "heatmap",
                    "data": data,
                    "label": {"show": width <= 12},
                }
            ],
        }
    return Card(
        key="cohorts-retention",
        table=table,
        chart=chart,
        description=_(
            "Each row is the customers who first bought in that month; each column the share "
            "of them who bought again so many months later."
        ),
    )


@card("cohorts-customers")
def cohort_customers_card(context: PageContext) -> Card:
    table = _cohort_table(
        context, "cohorts-customers", _("Active customers"), "active_customers", INT
    )
    return Card(key="cohorts-customers", table=table)


@card("cohorts-revenue")
def cohort_revenue_card(context: PageContext) -> Card:
    table = _cohort_table(context, "cohorts-revenue", _("Revenue"), "revenue", MONEY)
    return Card(key="cohorts-revenue", table=table)


GRANULARITIES = ("week", "month")


def _granularity(context: PageContext) -> str:
    value = context.params.get("period", "")
    return value if value in GRANULARITIES else "week"


def forecast_series(context: PageContext) -> list[dict[str, Any]]:
    """The forecast series of the chosen granularity the user may see: the total and the
    categories for who sees every store, the series of their own stores for everyone; each
    with its name and store (``store:3`` → the store's name)."""
    forecasts = run_results(context.run, "forecast")
    block = forecasts.get(_granularity(context), {}) if isinstance(forecasts, Mapping) else {}
    allowed = store_ids(context.user)
    every = sees_every_store(context.user)
    stores = dict(store_list(user=context.user).values_list("pk", "name"))
    categories = {category.pk: str(category) for category in category_list()}
    visible = []
    for item in block.get("series", []) if isinstance(block, Mapping) else []:
        name = str(item.get("series", ""))
        kind, _sep, ident = name.partition(":")
        if kind == "store":
            store = int(ident)
            if allowed is not None and store not in allowed:
                continue
            label = stores.get(store, name)
        elif not every:
            continue
        elif kind == "category":
            label = _("Category: %(name)s") % {"name": categories.get(int(ident), ident)}
        else:
            label = _("All stores")
        visible.append({**item, "label": label})
    return visible


def series_label(item: Mapping[str, Any]) -> str:
    return str(item.get("label") or item.get("series"))


def chosen_series(context: PageContext, series: list[dict[str, Any]]) -> dict[str, Any] | None:
    wanted = context.params.get("series", "")
    for item in series:
        if str(item.get("series")) == wanted:
            return item
    return series[0] if series else None


def _points(context: PageContext, series: str) -> list[Mapping[str, Any]]:
    forecasts = run_results(context.run, "forecast")
    block = forecasts.get(_granularity(context), {}) if isinstance(forecasts, Mapping) else {}
    points = block.get("points", []) if isinstance(block, Mapping) else []
    return [p for p in points if p.get("series") == series]


def _mape(value: Any) -> float | None:
    """The backtest error as a share (the engine gives it in percent)."""
    return float(value) / 100 if value is not None else None


@card("forecast-summary")
def forecast_summary_card(context: PageContext) -> Card:
    series = forecast_series(context)
    rows = []
    for item in series:
        ahead = [p for p in _points(context, str(item.get("series"))) if p.get("kind") != "actual"]
        rows.append(
            {
                "series": (series_label(item), _forecast_url(context, item)),
                "model": item.get("model"),
                "periods": item.get("periods"),
                "mape": _mape(item.get("mape")),
                "naive_mape": _mape(item.get("naive_mape")),
                "next": ahead[0].get("forecast") if ahead else None,
            }
        )
    table = Table(
        key="forecast-summary",
        title=_("Forecasts and their backtest error"),
        columns=[
            Column("series", gettext_lazy("Series"), LINK),
            Column("model", gettext_lazy("Model"), TEXT),
            Column("periods", gettext_lazy("Periods of history"), INT),
            Column("mape", gettext_lazy("Backtest error (MAPE)"), SHARE),
            Column("naive_mape", gettext_lazy("Error of last year's figure"), SHARE),
            Column("next", gettext_lazy("Next period"), MONEY),
        ],
        rows=rows,
        note="" if series else _note(context),
    )
    return Card(
        key="forecast-summary",
        table=table,
        description=_(
            "MAPE is the mean absolute percentage error of the same model on past periods it "
            "did not see: 10% means its forecasts were 10% off on average. Compare it with the "
            "error of simply repeating last year's figure."
        ),
    )


def _forecast_url(context: PageContext, item: Mapping[str, Any]) -> str:
    from django.urls import reverse

    return reverse("analytics:forecast") + "?" + context.query(series=item.get("series"))


@card("forecast")
def forecast_card(context: PageContext) -> Card:
    series = forecast_series(context)
    item = chosen_series(context, series)
    points = _points(context, str(item.get("series"))) if item else []
    history = [p for p in points if p.get("kind") == "actual"]
    ahead = [p for p in points if p.get("kind") != "actual"]
    rows = [
        {
            "period": p.get("period_start"),
            "kind": _("Actual") if p.get("kind") == "actual" else _("Forecast"),
            "sales": p.get("forecast"),
            "low": p.get("lower"),
            "high": p.get("upper"),
        }
        for p in points
    ]
    title = series_label(item) if item else _("Forecast")
    table = Table(
        key="forecast",
        title=title,
        columns=[
            Column("period", gettext_lazy("Period"), DATE),
            Column("kind", gettext_lazy("Kind"), TEXT),
            Column("sales", gettext_lazy("Sales"), MONEY),
            Column("low", gettext_lazy("Low"), MONEY),
            Column("high", gettext_lazy("High"), MONEY),
        ],
        rows=rows,
        note="" if item else _note(context),
    )
    chart = None
    if points:
        periods = [str(p.get("period_start")) for p in points]
        pad: list[float | None] = [None] * len(history)
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": periods},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": _("Actual"),
                    "type": "line",
                    "showSymbol": False,
                    "data": [_float(p.get("forecast")) for p in history],
                },
                {
                    "name": _("Forecast"),
                    "type": "line",
                    "lineStyle": {"type": "dashed"},
                    "data": pad + [_float(p.get("forecast")) for p in ahead],
                },
                {
                    "name": _("Low"),
                    "type": "line",
                    "showSymbol": False,
                    "lineStyle": {"opacity": 0.4},
                    "data": pad + [_float(p.get("lower")) for p in ahead],
                },
                {
                    "name": _("High"),
                    "type": "line",
                    "showSymbol": False,
                    "lineStyle": {"opacity": 0.4},
                    "data": pad + [_float(p.get("upper")) for p in ahead],
                },
            ],
        }
    mape = _mape((item or {}).get("mape"))
    description = (
        _("Backtest error (MAPE) of this series: %(mape)s.")
        % {"mape": display(mape, Column("m", "", SHARE))}
        if mape is not None
        else _("Not enough history to measure the error of this forecast yet.")
        if item
        else ""
    )
    return Card(key="forecast", table=table, chart=chart, description=description)


def _float(value: Any) -> float | None:
    try:
        return round(float(value), 2) if value is not None else None
    except (TypeError, ValueError):
        return None


RULES_CARDS = ("rules-product", "rules-category", "sequences")
COHORT_CARDS = ("cohorts-retention", "cohorts-customers", "cohorts-revenue")
FORECAST_CARDS = ("forecast", "forecast-summary")
