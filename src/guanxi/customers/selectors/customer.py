"""Reads of the customers domain: <entity>_list / <entity>_get functions.

Every read goes through ``guanxi.core.permissions.scope``: a staff member who is not an owner
never reads a customer of a store they do not work in, whatever page, API, export or search
asks.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import itertools
import json
import operator
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import scope
from guanxi.customers.models import Customer
from guanxi.customers.names import search_term_key
from guanxi.customers.phones import phone_digits, phone_normalise
from guanxi.staff.selectors import store_list

LAST_DIGITS = 4
PHONE_CHARACTERS = frozenset("0123456789+-() .\u3000")
EXTERNAL_ID_MAX = 64
# A list shows an exact count up to this many rows ("10,000+" beyond): counting is a LIMITed
# scan, never a COUNT(*) over a million customers on every page.
COUNT_CAP = 10_000
PAGE_SIZE = 25


class Consent(models.TextChoices):
    """The consent filter of the list: a channel (or sensitive data) granted."""

    SMS = "sms", _("SMS consent")
    EMAIL = "email", _("Email consent")
    WECHAT = "wechat", _("WeChat consent")
    PHONE = "phone", _("Phone call consent")
    MAIL = "mail", _("Direct mail consent")
    SENSITIVE = "sensitive", _("Skin and health data consent")


class Sort(models.TextChoices):
    NEWEST = "-created", _("Newest first")
    OLDEST = "created", _("Oldest first")
    NAME = "name", _("Name")
    COMPLETENESS_LOW = "completeness", _("Least complete first")
    COMPLETENESS_HIGH = "-completeness", _("Most complete first")
    BIRTHDAY_MONTH = "birthday_month", _("Birthday month")


SORT_FIELDS = {
    "created": "created_at",
    "name": "full_name",
    "completeness": "completeness",
    "birthday_month": "birth_month",
}
NULLABLE_SORT_FIELDS = frozenset({"birth_month"})


@dataclass(frozen=True)
class CustomerFilters:
    """What the list, the export and the API may filter on."""

    store_id: int | None = None
    responsible_staff_id: int | None = None
    search: str = ""
    birthday_month: int | None = None
    tag_id: int | None = None
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    completeness_min: int | None = None
    completeness_max: int | None = None
    source: str = ""
    consent: str = ""
    has_household: bool | None = None
    sort: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, for the audit row of an export."""
        return {
            k: v.isoformat() if isinstance(v, datetime.date) else v
            for k, v in asdict(self).items()
            if v not in (None, "")
        }

    @property
    def is_filtered(self) -> bool:
        return any(v not in (None, "") for k, v in asdict(self).items() if k != "sort")


# --- Search ---------------------------------------------------------------------------------

SearchProvider = Callable[[str], Q | None]
# Other domains add ways to find a customer by what they hold (the loyalty domain: the card
# number). A provider gets the stripped term and returns a ``Q`` on ``Customer`` or ``None`` when
# the term cannot be one of theirs. Return ``Q(pk__in=<subquery of customer ids>)`` rather than
# a join across a to-many relation, so that no customer is listed twice.
SEARCH_PROVIDERS: dict[str, SearchProvider] = {}


def customer_search_provider_register(key: str, provider: SearchProvider) -> None:
    """Register (or replace) an extra way of finding customers in every search box."""
    SEARCH_PROVIDERS[key] = provider


def _external_id_q(term: str) -> list[Q]:
    if len(term) > EXTERNAL_ID_MAX or any(c.isspace() for c in term):
        return []
    return [Q(external_id=term)]


def _search_alternatives(term: str) -> list[Q]:
    """Each way ``term`` may match a customer; a customer matching any of them is found."""
    if set(term) <= PHONE_CHARACTERS:
        digits = phone_digits(term)
        if len(digits) == LAST_DIGITS:
            own = [Q(phone_last4=digits)]
        else:
            try:
                own = [Q(phone=phone_normalise(term))]
            except ValidationError:
                if len(digits) > LAST_DIGITS:
                    own = [Q(phone__contains=digits)]
                else:
                    own = [Q(search_key__contains=search_term_key(term))]
        own += _external_id_q(term)
    elif "@" in term:
        own = [Q(email__iexact=term)]
    else:
        own = [Q(search_key__contains=search_term_key(term)), *_external_id_q(term)]
    extra = [provider(term) for provider in SEARCH_PROVIDERS.values()]
    return own + [q for q in extra if q is not None]


def customer_search_q(term: str) -> Q:
    """Match a customer by name (simplified or traditional characters, pinyin or its initials),
    by whole phone number, by the last 4 digits of the phone, by email, by external id, and by
    what other domains registered (``customer_search_provider_register``).

    A run of 5 or more digits that is not a whole number matches anywhere in the phone, so a
    number half-typed at the counter still finds the member.
    """
    term = term.strip()
    if not term:
        return Q()
    return functools.reduce(operator.or_, _search_alternatives(term))


# --- The list -------------------------------------------------------------------------------


def _local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _apply_filters(customers: QuerySet[Customer], filters: CustomerFilters) -> QuerySet[Customer]:
    if filters.store_id is not None:
        customers = customers.filter(home_store_id=filters.store_id)
    if filters.responsible_staff_id is not None:
        customers = customers.filter(responsible_staff_id=filters.responsible_staff_id)
    if filters.birthday_month is not None:
        customers = customers.filter(birth_month=filters.birthday_month)
    if filters.tag_id is not None:
        # EXISTS, checked per row through the (customer, tag) unique index: the list is driven
        # by the other filters' index in the list's order, and stops after one page.
        tagged = Customer.tags.through.objects.filter(
            customer_id=OuterRef("pk"), tag_id=filters.tag_id
        )
        customers = customers.filter(Exists(tagged))
    if filters.created_from is not None:
        customers = customers.filter(created_at__gte=_local_day_start(filters.created_from))
    if filters.created_to is not None:
        day_after = filters.created_to + datetime.timedelta(days=1)
        customers = customers.filter(created_at__lt=_local_day_start(day_after))
    if filters.completeness_min is not None:
        customers = customers.filter(completeness__gte=filters.completeness_min)
    if filters.completeness_max is not None:
        customers = customers.filter(completeness__lte=filters.completeness_max)
    if filters.source:
        customers = customers.filter(source=filters.source)
    if filters.consent:
        if filters.consent not in Consent.values:
            raise ValueError(f"unknown consent {filters.consent!r}")
        customers = customers.filter(**{f"consent_{filters.consent}": True})
    if filters.has_household is not None:
        customers = customers.filter(household__isnull=not filters.has_household)
    if filters.search:
        customers = _filter_by_search(customers, filters.search)
    return customers


def _filter_by_search(customers: QuerySet[Customer], term: str) -> QuerySet[Customer]:
    """A search by digits matches few rows through indexes (last 4 digits, whole phone,
    external id): looked up first as a subquery, so that the database does not walk the list's
    sort index row by row looking for them. A name search filters directly, in the list's order,
    and stops after one page."""
    term = term.strip()
    if not term:
        return customers
    if set(term) <= PHONE_CHARACTERS:
        # One indexed lookup per alternative, put together with UNION: SQLite does not use two
        # indexes for an OR.
        lookups = [
            Customer.objects.filter(q).order_by().values("pk") for q in _search_alternatives(term)
        ]
        ids = lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]
        return customers.filter(pk__in=ids)
    return customers.filter(customer_search_q(term))


def _sort_of(sort: str) -> tuple[str, bool]:
    """(model field, descending) of a sort key; unknown keys sort newest first."""
    descending = sort.startswith("-")
    field = SORT_FIELDS.get(sort.lstrip("-"))
    if field is None:
        return "created_at", True
    return field, descending


def customer_list(*, user: Any, filters: CustomerFilters | None = None) -> QuerySet[Customer]:
    """The customers ``user`` may see, filtered and sorted (newest first unless told), with
    what lists show."""
    filters = filters or CustomerFilters()
    customers = scope(Customer.objects.all(), user).select_related(
        "home_store", "responsible_staff"
    )
    customers = _apply_filters(customers, filters)
    field, descending = _sort_of(filters.sort)
    sign = "-" if descending else ""
    return customers.order_by(f"{sign}{field}", f"{sign}pk")


def customer_get(*, user: Any, pk: Any) -> Customer | None:
    """One customer ``user`` may see, or ``None`` (another store's customer is not found)."""
    try:
        return customer_list(user=user).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        return None


# --- Keyset pagination ------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerPage:
    """One page of the list, found by position (keyset), not by OFFSET: page 40,000 costs what
    page 1 costs. ``next_cursor``/``previous_cursor`` are ``None`` at the ends."""

    customers: list[Customer]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_capped: bool

    @property
    def has_other_pages(self) -> bool:
        return self.next_cursor is not None or self.previous_cursor is not None


def _nulls_are_largest() -> bool:
    """Where the database puts NULLs in its natural (index) order: PostgreSQL after every
    value, SQLite before. Following it lets the birthday-month sort use its index."""
    return connection.vendor == "postgresql"


def _encode_cursor(field: str, customer: Customer) -> str:
    value = getattr(customer, field)
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([value, customer.pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(field: str, cursor: str) -> tuple[Any, int]:
    """The (sort value, pk) of a cursor; ``ValueError`` for anything that is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
    except (binascii.Error, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ValueError("bad cursor") from exc
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValueError("bad cursor")
    if field == "created_at":
        if not isinstance(value, str):
            raise ValueError("bad cursor")
        value = datetime.datetime.fromisoformat(value)
    elif field == "full_name":
        if not isinstance(value, str):
            raise ValueError("bad cursor")
    elif value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError("bad cursor")
    elif value is None and field not in NULLABLE_SORT_FIELDS:
        raise ValueError("bad cursor")
    return value, pk


def _beyond(field: str, value: Any, pk: int, *, descending: bool, nulls_last: bool) -> Q:
    """The rows strictly after (value, pk) in the order ``field`` (and pk) ascending or
    descending, NULLs last or first."""
    op = "lt" if descending else "gt"
    if value is None:
        same = Q(**{f"{field}__isnull": True, f"pk__{op}": pk})
        return same if nulls_last else same | Q(**{f"{field}__isnull": False})
    # "field <= value AND (field < value OR pk < pk0)": the first part bounds an index range.
    bound = "lte" if descending else "gte"
    after = Q(**{f"{field}__{bound}": value}) & (
        Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk})
    )
    if nulls_last and field in NULLABLE_SORT_FIELDS:
        return after | Q(**{f"{field}__isnull": True})
    return after


def _ordering(field: str, descending: bool) -> list[str]:
    sign = "-" if descending else ""
    return [f"{sign}{field}", f"{sign}pk"]


def customer_page(
    *,
    user: Any,
    filters: CustomerFilters | None = None,
    after: str = "",
    before: str = "",
    page_size: int = PAGE_SIZE,
) -> CustomerPage:
    """A page of ``customer_list`` after (or before) a cursor: page_size + 1 rows are read to
    know whether another page follows; the count is exact up to ``COUNT_CAP``.

    A cursor that does not decode starts from the first page.
    """
    filters = filters or CustomerFilters()
    customers = customer_list(user=user, filters=filters)
    field, descending = _sort_of(filters.sort)
    # NULLs sit where the database's index puts them (see _nulls_are_largest).
    nulls_last = _nulls_are_largest() != descending
    rows: list[Customer]
    backwards = False
    try:
        if before:
            value, pk = _decode_cursor(field, before)
            backwards = True
            query = customers.filter(
                _beyond(field, value, pk, descending=not descending, nulls_last=not nulls_last)
            ).order_by(*_ordering(field, not descending))
        elif after:
            value, pk = _decode_cursor(field, after)
            query = customers.filter(
                _beyond(field, value, pk, descending=descending, nulls_last=nulls_last)
            )
        else:
            query = customers
    except ValueError:
        query, backwards, after, before = customers, False, "", ""
    rows = list(query[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    counted = customers.order_by()[: COUNT_CAP + 1].count()
    if backwards:
        next_cursor = _encode_cursor(field, rows[-1]) if rows else None
        previous_cursor = _encode_cursor(field, rows[0]) if rows and more else None
    else:
        next_cursor = _encode_cursor(field, rows[-1]) if rows and more else None
        previous_cursor = _encode_cursor(field, rows[0]) if rows and after else None
    return CustomerPage(
        customers=rows,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        count=min(counted, COUNT_CAP),
        count_is_capped=counted > COUNT_CAP,
    )


# --- Dashboards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyCount:
    day: datetime.date
    count: int


@dataclass(frozen=True)
class StoreCount:
    store_id: int
    store_name: str
    count: int


@dataclass(frozen=True)
class MemberStats:
    today: int
    this_month: int
    total: int
    per_day: list[DailyCount]
    per_store: list[StoreCount]


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _counts_between(
    customers: QuerySet[Customer], ranges: list[tuple[datetime.datetime, datetime.datetime]]
) -> list[int]:
    """How many of ``customers`` were created in each [start, end) range, in one statement: a
    UNION ALL of counts, each one a range of the (home store, created) index. Faster than one
    pass that tests every row against every range."""
    if not ranges:
        return []
    parts = [
        customers.filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            part=models.Value(n, output_field=models.IntegerField()),
            rows=models.Func(template="COUNT(*)", output_field=models.IntegerField()),
        )
        .values_list("part", "rows")
        for n, (start, end) in enumerate(ranges)
    ]
    found = dict(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else dict(parts[0])
    return [found.get(n, 0) for n in range(len(ranges))]


def customer_member_stats(*, user: Any, today: datetime.date, days: int = 30) -> MemberStats:
    """New members today, this month, in total, per day over ``days`` days and per store,
    counted in the installation's time zone over the customers ``user`` may see.

    Built for a million customers, on indexes that start with the home store: the totals per
    store are one GROUP BY over the narrowest of them, and each day of the chart a count over
    one range of the (home store, created) index, bounded by the day's local midnights (no
    date function per row).
    """
    stores = list(store_list(user=user))
    # Scoping is by home store, so a visible store's members are all visible. COUNT(*), not
    # COUNT(pk): the database only counts index entries.
    per_store_counts = dict(
        scope(Customer.objects.order_by(), user)
        .values_list("home_store_id")
        .annotate(count=Count("*"))
        .values_list("home_store_id", "count")
    )
    # Naming the stores lets the database walk the created index store by store, for owners
    # too (no index starts with the creation time).
    customers = Customer.objects.filter(home_store_id__in=[s.pk for s in stores]).order_by()
    first_day = today - datetime.timedelta(days=days - 1)
    bounds = [_local_midnight(first_day + datetime.timedelta(days=n)) for n in range(days + 1)]
    ranges = list(itertools.pairwise(bounds))
    month_start = _local_midnight(today.replace(day=1))
    earlier_this_month = month_start < bounds[0]
    if earlier_this_month:  # the month began before the chart does
        ranges.append((month_start, bounds[0]))
    counts = _counts_between(customers, ranges)
    per_day = [
        DailyCount(day=first_day + datetime.timedelta(days=n), count=counts[n]) for n in range(days)
    ]
    this_month = sum(c.count for c in per_day if _local_midnight(c.day) >= month_start)
    if earlier_this_month:
        this_month += counts[-1]
    per_store = [
        StoreCount(store_id=s.pk, store_name=s.name, count=per_store_counts.get(s.pk, 0))
        for s in stores
    ]
    return MemberStats(
        today=per_day[-1].count if per_day else 0,
        this_month=this_month,
        total=sum(per_store_counts.values()),
        per_day=per_day,
        per_store=per_store,
    )


@dataclass(frozen=True)
class UpcomingBirthday:
    customer: Customer
    day: datetime.date
    days_away: int
    turning: int


def _birthday_in(year: int, birthday: datetime.date) -> datetime.date:
    """The birthday in ``year``; 29 February is celebrated on 28 February in other years."""
    try:
        return birthday.replace(year=year)
    except ValueError:
        return birthday.replace(year=year, day=28)


def customer_birthdays_upcoming_page(
    *, user: Any, today: datetime.date, days: int = 7, limit: int | None = None
) -> tuple[list[UpcomingBirthday], int]:
    """The soonest ``limit`` (all, when ``None``) of the user's own customers whose birthday is
    today or within the next ``days`` days, soonest first, and how many there are in all.

    The birth-month index finds the user's customers born in the months the window touches;
    those born on one of its days are picked here from their (pk, birthday, name), and only the
    ones returned are loaded.
    """
    window = [today + datetime.timedelta(days=n) for n in range(days + 1)]
    wanted = {(day.month, day.day) for day in window}
    if any(day.month == 2 and day.day == 28 and not _is_leap(day.year) for day in window):
        wanted.add((2, 29))
    mine = customer_list(user=user).filter(responsible_staff=user)
    candidates = (
        mine.filter(birth_month__in=sorted({month for month, _day in wanted}))
        .order_by()
        .values_list("pk", "birthday", "full_name")
    )
    found = []
    for pk, born, name in candidates:
        if born is None or (born.month, born.day) not in wanted:
            continue
        day = _birthday_in(today.year, born)
        if day < today:
            day = _birthday_in(today.year + 1, born)
        found.append((day, name, pk))
    found.sort()
    shown = found if limit is None else found[:limit]
    customers = mine.in_bulk([pk for _day, _name, pk in shown]) if shown else {}
    upcoming = [
        UpcomingBirthday(
            customer=customers[pk],
            day=day,
            days_away=(day - today).days,
            turning=day.year - customers[pk].birthday.year,
        )
        for day, _name, pk in shown
        if pk in customers
    ]
    return upcoming, len(found)


def customer_birthdays_upcoming(
    *, user: Any, today: datetime.date, days: int = 7
) -> list[UpcomingBirthday]:
    """The user's own customers whose birthday is today or within the next ``days`` days,
    soonest first."""
    upcoming, _total = customer_birthdays_upcoming_page(user=user, today=today, days=days)
    return upcoming


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def customer_recently_assigned(
    *, user: Any, now: datetime.datetime, days: int = 7
) -> QuerySet[Customer]:
    """The user's own customers assigned in the last ``days`` days, not yet contacted.

    There is no contact record yet, so "assigned" is "registered with this staff member as
    responsible", and every such customer counts as not yet contacted.
    """
    since = now - datetime.timedelta(days=days)
    return customer_list(user=user).filter(responsible_staff=user, created_at__gte=since)
