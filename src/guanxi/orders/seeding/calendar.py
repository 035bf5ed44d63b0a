"""The shopping calendar of the demo: how busy a day is in a Chinese beauty and health shop.

A day's weight multiplies the base rate at which members come in. Weekends are busier; the
weeks before Spring Festival are gift-buying weeks and the holiday week itself is quiet (many
members travel home); 3.8 Women's Day, 618 and Double 11 (11.11) are the promotion peaks, with
the day itself the busiest; 12.12 is a smaller one.

Spring Festival moves with the lunar calendar: ``LUNAR_NEW_YEAR`` holds the first day of the
first lunar month for 2000–2049 (checked against the ``lunardate`` package's tables).
"""

from __future__ import annotations

import bisect
import datetime
import random
from itertools import accumulate

# fmt: off
LUNAR_NEW_YEAR: dict[int, datetime.date] = {
    year: datetime.date.fromisoformat(day)
    for year, day in (
        (2000, "2000-02-05"), (2001, "2001-01-24"), (2002, "2002-02-12"), (2003, "2003-02-01"),
        (2004, "2004-01-22"), (2005, "2005-02-09"), (2006, "2006-01-29"), (2007, "2007-02-18"),
        (2008, "2008-02-07"), (2009, "2009-01-26"), (2010, "2010-02-14"), (2011, "2011-02-03"),
        (2012, "2012-01-23"), (2013, "2013-02-10"), (2014, "2014-01-31"), (2015, "2015-02-19"),
        (2016, "2016-02-08"), (2017, "2017-01-28"), (2018, "2018-02-16"), (2019, "2019-02-05"),
        (2020, "2020-01-25"), (2021, "2021-02-12"), (2022, "2022-02-01"), (2023, "2023-01-22"),
        (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"),
        (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-03"), (2031, "2031-01-23"),
        (2032, "2032-02-11"), (2033, "2033-01-31"), (2034, "2034-02-19"), (2035, "2035-02-08"),
        (2036, "2036-01-28"), (2037, "2037-02-15"), (2038, "2038-02-04"), (2039, "2039-01-24"),
        (2040, "2040-02-12"), (2041, "2041-02-01"), (2042, "2042-01-22"), (2043, "2043-02-10"),
        (2044, "2044-01-30"), (2045, "2045-02-17"), (2046, "2046-02-06"), (2047, "2047-01-26"),
        (2048, "2048-02-14"), (2049, "2049-02-02"),
    )
}
# fmt: on

# Monday … Sunday
WEEKDAY_WEIGHTS = (0.85, 0.85, 0.9, 0.95, 1.1, 1.35, 1.25)

# The peaks, as (month, first day, last day, weight): a run-up and the day itself.
FIXED_PEAKS = (
    (3, 1, 7, 1.8),  # 3.8 Women's Day: the week before
    (3, 8, 8, 3.2),  # … and the day
    (6, 1, 15, 1.5),  # 618: the run-up
    (6, 16, 18, 3.0),  # … and the last three days
    (11, 1, 9, 1.8),  # Double 11: the run-up
    (11, 10, 11, 4.5),  # … and 11.11 with its eve
    (11, 12, 12, 1.4),  # the late deals
    (12, 10, 12, 1.4),  # 12.12
)
SPRING_FESTIVAL_RUN_UP = (21, 1.8)  # the three weeks before: gifts and new-year shopping
SPRING_FESTIVAL_HOLIDAY = (7, 0.45)  # the holiday week: members are away, shops are quiet

# Promotion peaks a member may come in for even without a visit due (a stock-up).
STOCK_UP_DAYS = ((11, 10), (11, 11), (6, 17), (6, 18), (3, 8))


class Festival:
    SPRING = "spring_festival"
    WOMENS_DAY = "womens_day"
    SIX_ONE_EIGHT = "618"
    DOUBLE_ELEVEN = "double_11"
    DOUBLE_TWELVE = "double_12"


def spring_festival(year: int) -> datetime.date:
    """The first day of the lunar year that starts in ``year`` (Gregorian)."""
    try:
        return LUNAR_NEW_YEAR[year]
    except KeyError:
        raise ValueError(
            f"no lunar new year date for {year} (the table covers 2000–2049)"
        ) from None


def festival_of(day: datetime.date) -> str:
    """The promotion season ``day`` falls in, or ``""``."""
    new_year = spring_festival(day.year)
    if -SPRING_FESTIVAL_RUN_UP[0] <= (day - new_year).days < SPRING_FESTIVAL_HOLIDAY[0]:
        return Festival.SPRING
    if day.month == 3 and day.day <= 8:
        return Festival.WOMENS_DAY
    if day.month == 6 and day.day <= 18:
        return Festival.SIX_ONE_EIGHT
    if day.month == 11 and day.day <= 12:
        return Festival.DOUBLE_ELEVEN
    if day.month == 12 and 10 <= day.day <= 12:
        return Festival.DOUBLE_TWELVE
    return ""


def day_weight(day: datetime.date) -> float:
    """How busy ``day`` is, relative to an ordinary weekday."""
    weight = WEEKDAY_WEIGHTS[day.weekday()]
    for month, first, last, peak in FIXED_PEAKS:
        if day.month == month and first <= day.day <= last:
            weight *= peak
    offset = (day - spring_festival(day.year)).days
    if -SPRING_FESTIVAL_RUN_UP[0] <= offset < 0:
        weight *= SPRING_FESTIVAL_RUN_UP[1]
    elif 0 <= offset < SPRING_FESTIVAL_HOLIDAY[0]:
        weight *= SPRING_FESTIVAL_HOLIDAY[1]
    if day.month == 12:  # the run-up of next year's Spring Festival may start in late December
        ahead = (spring_festival(day.year + 1) - day).days
        if 0 < ahead <= SPRING_FESTIVAL_RUN_UP[0]:
            weight *= SPRING_FESTIVAL_RUN_UP[1]
    return weight


class DayPicker:
    """Draws days of a window in proportion to their weight, in O(log n) per draw.

    Days are numbered from ``first`` (0) to the day before ``end``; a draw between two day
    numbers picks one of them as a shop's footfall would.
    """

    def __init__(self, first: datetime.date, end: datetime.date) -> None:
        self.first = first
        self.days = (end - first).days
        self.weights = [day_weight(first + datetime.timedelta(days=n)) for n in range(self.days)]
        self.cumulative = [0.0, *accumulate(self.weights)]

    def day(self, number: int) -> datetime.date:
        return self.first + datetime.timedelta(days=number)

    def number(self, day: datetime.date) -> int:
        return (day - self.first).days

    def pick(self, rng: random.Random, low: int, high: int) -> int:
        """A day number in ``[low, high)`` (clipped to the window), drawn by weight."""
        low, high = max(low, 0), min(high, self.days)
        if high <= low:
            return min(max(low, 0), self.days - 1)
        cumulative = self.cumulative
        target = cumulative[low] + rng.random() * (cumulative[high] - cumulative[low])
        found = bisect.bisect_right(cumulative, target, low, high + 1) - 1
        return min(max(found, low), high - 1)
