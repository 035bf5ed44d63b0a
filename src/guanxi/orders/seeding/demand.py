"""The demand model of the demo: who buys what, and when. Pure Python, no database.

**Who comes back.** Each customer falls in one segment:

- *loyal* (``LOYAL``): comes every 3–6 weeks for the whole history (members who buy health
  supplements come about monthly);
- *lapsing*: came regularly, then stopped 4–12 months before today;
- *occasional*: two to five visits over the two years;
- *one-off*: one purchase, mostly on the day they registered;
- *never*: registered (at an event, through a referral …) and never bought.

**When.** A visit due around a day is drawn from the days near it in proportion to how busy
they are (``calendar.day_weight``), so visits cluster on weekends and promotion peaks; loyal and
occasional members also come in for a stock-up on 11.11, 618 and 3.8. Times fall in opening
hours, busiest in the evening.

**What.** A persona decides the basket: *skin care* (a serum or cream, often with a cleanser,
toner or micellar water, sometimes a sheet mask: the affinity basket rules should find),
*health* (one or two favourite supplements bought again on every visit: the monthly repeat),
*treatments* (a facial, skin care to take home, treatment packages) and *daily use*. Gift sets
and two-packs sell at the promotion peaks and before Spring Festival. A basket has 1–4 lines.
"""

from __future__ import annotations

import bisect
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import TypeVar

from guanxi.orders.seeding.calendar import STOCK_UP_DAYS, DayPicker, festival_of

HISTORY_DAYS = 730  # two years of orders before ``today``

LOYAL, LAPSING, OCCASIONAL, ONE_OFF, NEVER = "loyal", "lapsing", "occasional", "one_off", "never"
SEGMENTS = (LOYAL, LAPSING, OCCASIONAL, ONE_OFF, NEVER)
SEGMENT_WEIGHTS = {
    # persona -> shares of the segments above
    "skin": (0.16, 0.17, 0.27, 0.18, 0.22),
    "health": (0.30, 0.16, 0.20, 0.14, 0.20),
    "treatment": (0.24, 0.18, 0.22, 0.14, 0.22),
    "daily": (0.12, 0.16, 0.30, 0.20, 0.22),
}
PERSONAS = ("skin", "health", "treatment", "daily")
PERSONA_WEIGHTS = (0.40, 0.25, 0.15, 0.20)
# Days between visits of a regular: (low, high) of the member's own cadence.
CADENCE = {LOYAL: (21, 42), LAPSING: (21, 56)}
HEALTH_CADENCE = (26, 35)  # a month's supply of supplements
LAPSED_AGO = (120, 365)  # a lapsing member's last visit: 4–12 months before today
OCCASIONAL_VISITS = ((2, 0.40), (3, 0.30), (4, 0.18), (5, 0.12))
FIRST_VISIT_ON_JOINING = 0.6  # of those who registered within the history
STOCK_UP_SHARE = {LOYAL: 0.30, OCCASIONAL: 0.12}

# Opening hours 10:00–22:00; weights of the hours 10 … 21.
HOURS = tuple(range(10, 22))
HOUR_WEIGHTS = (3, 5, 6, 5, 5, 6, 7, 8, 9, 9, 7, 4)

# Product groups, from the category (and, within skin care, from the name).
SKIN, CLEANSER, MASK, MAKEUP, HEALTH, DAILY, TREATMENT = (
    "skin",
    "cleanser",
    "mask",
    "makeup",
    "health",
    "daily",
    "treatment",
)
CLEANSER_WORDS = ("cleanser", "micellar", "toner", "tonique", "water")
MASK_WORDS = ("mask",)
BUNDLE_WORDS = ("gift set", "two-pack")
PEAK_BUNDLE_SHARE = 0.35
PEAK_EXTRA_QUANTITY = 0.30
MAX_LINES = 4


T = TypeVar("T")


def cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def draw(rng: random.Random, values: Sequence[T], cumulative_weights: Sequence[float]) -> T:
    """``rng.choices(values, cum_weights=…)[0]`` (the same draw from the same stream), without
    the list it builds: the demand model draws millions of times for a benchmark seed."""
    found = bisect.bisect(
        cumulative_weights, rng.random() * cumulative_weights[-1], 0, len(values) - 1
    )
    return values[found]


PERSONA_CUMULATIVE = cumulative(PERSONA_WEIGHTS)
SEGMENT_CUMULATIVE = {persona: cumulative(w) for persona, w in SEGMENT_WEIGHTS.items()}
HOUR_CUMULATIVE = cumulative(HOUR_WEIGHTS)
OCCASIONAL_COUNTS = tuple(count for count, _weight in OCCASIONAL_VISITS)
OCCASIONAL_CUMULATIVE = cumulative([weight for _count, weight in OCCASIONAL_VISITS])


@dataclass(frozen=True)
class Item:
    """A product or a service as the demand model sees it."""

    pk: int
    kind: str  # "product" or "service"
    group: str
    bundle: bool
    price: Decimal


def product_group(category: str, parent: str, name: str) -> str:
    """The group of a product from its category's English name (and its parent's)."""
    lowered = name.lower()
    names = {category.lower(), parent.lower()}
    if "health products" in names:
        return HEALTH
    if "make-up" in names:
        return MAKEUP
    if "daily use" in names:
        return DAILY
    if names & {"skin care", "cosmetics"}:
        if any(word in lowered for word in MASK_WORDS):
            return MASK
        if any(word in lowered for word in CLEANSER_WORDS):
            return CLEANSER
        return SKIN
    return DAILY


@dataclass
class Assortment:
    """What the shops sell, by group; ``items`` indexes everything."""

    items: list[Item]
    groups: dict[str, list[int]] = field(default_factory=dict)
    plain: dict[str, list[int]] = field(default_factory=dict)  # without gift sets and two-packs
    bundles: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, items: list[Item]) -> Assortment:
        assortment = cls(items=items)
        for index, item in enumerate(items):
            assortment.groups.setdefault(item.group, []).append(index)
            target = assortment.bundles if item.bundle else assortment.plain
            target.setdefault(item.group, []).append(index)
        return assortment

    def pick(self, rng: random.Random, group: str, *, bundle: bool = False) -> int | None:
        """An item of ``group`` (a gift set or two-pack when asked and there is one)."""
        pool = (self.bundles if bundle else self.plain).get(group) or self.groups.get(group)
        return rng.choice(pool) if pool else None


@dataclass
class Shopper:
    """One customer's part in the demo: who they are as a buyer and their visits."""

    index: int
    customer_pk: int
    household_id: int | None
    store_index: int
    segment: str
    persona: str
    favourites: list[int]
    # (local moment, [(item index, quantity)], festival)
    visits: list[tuple[datetime.datetime, list[tuple[int, int]], str]] = field(default_factory=list)


class DemandModel:
    """Plans the visits and baskets of every customer from one random stream."""

    def __init__(
        self, rng: random.Random, assortment: Assortment, today: datetime.date, tz: datetime.tzinfo
    ) -> None:
        self.rng = rng
        self.assortment = assortment
        self.today = today
        self.tz = tz
        self.first_day = today - datetime.timedelta(days=HISTORY_DAYS)
        self.picker = DayPicker(self.first_day, today)
        self.festivals = [festival_of(self.picker.day(n)) for n in range(self.picker.days)]
        self.stock_up = [
            n
            for n in range(self.picker.days)
            if (self.picker.day(n).month, self.picker.day(n).day) in STOCK_UP_DAYS
        ]
        self.services = assortment.groups.get(TREATMENT, [])

    # --- who -----------------------------------------------------------------------------------

    def shopper(
        self,
        index: int,
        customer_pk: int,
        household_id: int | None,
        store_index: int,
        registered: datetime.date,
    ) -> Shopper:
        rng = self.rng
        persona = draw(rng, PERSONAS, PERSONA_CUMULATIVE)
        segment = draw(rng, SEGMENTS, SEGMENT_CUMULATIVE[persona])
        shopper = Shopper(
            index=index,
            customer_pk=customer_pk,
            household_id=household_id,
            store_index=store_index,
            segment=segment,
            persona=persona,
            favourites=self.favourites(persona),
        )
        if segment != NEVER:
            for day in self.visit_days(shopper, registered):
                moment = self.moment(day)
                festival = self.festivals[day]
                shopper.visits.append((moment, self.basket(shopper, festival), festival))
        return shopper

    def favourites(self, persona: str) -> list[int]:
        """What the member buys again and again."""
        rng, pick = self.rng, self.assortment.pick
        if persona == "health":
            chosen = [pick(rng, HEALTH) for _ in range(rng.choice((1, 2, 2)))]
        elif persona == "skin":
            chosen = [pick(rng, SKIN), pick(rng, CLEANSER)]
        elif persona == "treatment":
            chosen = [rng.choice(self.services) if self.services else None, pick(rng, SKIN)]
        else:
            chosen = [pick(rng, DAILY), pick(rng, DAILY)]
        return list(dict.fromkeys(i for i in chosen if i is not None))

    # --- when ----------------------------------------------------------------------------------

    def visit_days(self, shopper: Shopper, registered: datetime.date) -> list[int]:
        """Day numbers of the visits, in order."""
        rng, picker = self.rng, self.picker
        start = max(0, picker.number(registered))
        end = picker.days
        if start >= end:
            return []
        joined_within = registered > self.first_day
        segment = shopper.segment
        if segment in (LOYAL, LAPSING):
            low, high = HEALTH_CADENCE if shopper.persona == "health" else CADENCE[segment]
            cadence = rng.uniform(low, high)
            if segment == LAPSING:
                end = picker.days - rng.randint(*LAPSED_AGO)
                if end - start < cadence:  # joined too late to lapse: one visit
                    segment = shopper.segment = ONE_OFF
            if segment != ONE_OFF:
                if joined_within and rng.random() < FIRST_VISIT_ON_JOINING:
                    day = start
                else:
                    day = picker.pick(rng, start, start + int(cadence))
                days = []
                while day < end:
                    days.append(day)
                    low = day + max(7, int(cadence * 0.7))
                    if low >= end:  # the next visit would fall after the history (``pick``
                        break  # clips to the window: every regular would come on its last day)
                    day = picker.pick(rng, low, day + int(cadence * 1.3) + 1)
                    if day <= days[-1]:
                        break
                return self.with_stock_ups(days, segment, start, end)
        if segment == OCCASIONAL:
            count = draw(rng, OCCASIONAL_COUNTS, OCCASIONAL_CUMULATIVE)
            days = sorted({picker.pick(rng, start, end) for _ in range(count)})
            if joined_within and rng.random() < FIRST_VISIT_ON_JOINING / 2:
                days = sorted({start, *days[1:]})
            return self.with_stock_ups(days, segment, start, end)
        # one-off
        if joined_within and rng.random() < FIRST_VISIT_ON_JOINING:
            return [start]
        return [picker.pick(rng, start, end)]

    def with_stock_ups(self, days: list[int], segment: str, start: int, end: int) -> list[int]:
        """Add a stock-up visit on some peak days the member was not already in that week."""
        share = STOCK_UP_SHARE.get(segment, 0.0)
        if not share or not days:
            return days
        rng = self.rng
        extra = []
        taken = set(days)
        for day in self.stock_up:
            if start <= day < end and rng.random() < share / 2:  # two peak days per festival
                if not any(abs(day - other) <= 3 for other in taken):
                    extra.append(day)
                    taken.add(day)
        return sorted(days + extra) if extra else days

    def moment(self, day: int) -> datetime.datetime:
        """A time in opening hours on day number ``day`` (aware, in the shops' time zone)."""
        rng = self.rng
        hour = draw(rng, HOURS, HOUR_CUMULATIVE)
        local = datetime.datetime.combine(
            self.picker.day(day), datetime.time(hour, rng.randrange(60), rng.randrange(60))
        )
        return local.replace(tzinfo=self.tz)

    # --- what ----------------------------------------------------------------------------------

    def basket(self, shopper: Shopper, festival: str) -> list[tuple[int, int]]:
        """1–4 lines of (item index, quantity), no item twice."""
        rng, pick = self.rng, self.assortment.pick
        peak = bool(festival)
        chosen: list[int | None] = []
        persona = shopper.persona
        favourites = shopper.favourites
        if persona == "skin":
            chosen.append(
                favourites[0] if favourites and rng.random() < 0.5 else pick(rng, SKIN, bundle=peak)
            )
            if rng.random() < 0.55:
                cleanser = favourites[1] if len(favourites) > 1 else None
                chosen.append(
                    cleanser if cleanser is not None and rng.random() < 0.6 else pick(rng, CLEANSER)
                )
            if rng.random() < 0.30:
                chosen.append(pick(rng, MASK))
            if rng.random() < (0.35 if festival == "womens_day" else 0.12):
                chosen.append(pick(rng, MAKEUP, bundle=peak and rng.random() < 0.5))
            if rng.random() < 0.10:
                chosen.append(pick(rng, DAILY))
        elif persona == "health":
            chosen += [f for f in favourites if rng.random() < 0.85]
            if rng.random() < 0.25 or not chosen:
                chosen.append(pick(rng, HEALTH, bundle=peak and rng.random() < 0.5))
            if rng.random() < 0.20:
                chosen.append(pick(rng, DAILY))
            if rng.random() < 0.10:
                chosen.append(pick(rng, SKIN))
        elif persona == "treatment":
            if favourites and self.services and rng.random() < 0.70:
                chosen.append(favourites[0])
            elif self.services and rng.random() < 0.3:
                chosen.append(rng.choice(self.services))
            if rng.random() < 0.40 or not chosen:
                chosen.append(
                    favourites[-1]
                    if len(favourites) > 1 and rng.random() < 0.5
                    else pick(rng, SKIN)
                )
                if rng.random() < 0.40:
                    chosen.append(pick(rng, CLEANSER))
            if rng.random() < 0.20:
                chosen.append(pick(rng, MASK))
        else:
            chosen += [pick(rng, DAILY) for _ in range(rng.choice((1, 1, 2)))]
            if rng.random() < 0.25:
                chosen.append(pick(rng, SKIN))
            if rng.random() < 0.15:
                chosen.append(pick(rng, HEALTH))
        lines: list[tuple[int, int]] = []
        items = self.assortment.items
        wanted = list(dict.fromkeys(i for i in chosen if i is not None))
        taken: set[int] = set()
        for index in wanted:
            if len(lines) == MAX_LINES:
                break
            if index in taken:  # a gift set chosen instead of an item is already in the basket
                continue
            item = items[index]
            if peak and item.kind == "product" and not item.bundle and rng.random() < 0.15:
                swap = pick(rng, item.group, bundle=True)  # a gift set instead
                if swap is not None and swap not in taken and swap not in wanted:
                    index, item = swap, items[swap]
            taken.add(index)
            quantity = 1
            if item.kind == "product":
                if item.group == DAILY:
                    quantity = rng.choice((1, 1, 1, 2, 3))
                elif rng.random() < (PEAK_EXTRA_QUANTITY if peak else 0.08):
                    quantity = 2
            lines.append((index, quantity))
        if not lines:  # an empty catalogue group: anything on sale
            lines.append((rng.randrange(len(items)), 1))
        return lines
