"""The demo's demand model: the calendar, repeat behaviour, seasonality and basket affinities.

Pure Python: a synthetic catalogue of the demo's groups, 4,000 customers planned in memory.
"""

import collections
import datetime
import random
import statistics
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanxi.loyalty.services.earning import points_spread
from guanxi.orders.seeding.bulk import largest_remainder, points_spread_exact
from guanxi.orders.seeding.calendar import Festival, day_weight, festival_of, spring_festival
from guanxi.orders.seeding.demand import (
    CLEANSER,
    DAILY,
    HEALTH,
    LAPSING,
    LOYAL,
    MAKEUP,
    MASK,
    NEVER,
    OCCASIONAL,
    ONE_OFF,
    SKIN,
    TREATMENT,
    Assortment,
    DemandModel,
    Item,
    product_group,
)
from guanxi.orders.services.pricing import spread

TODAY = datetime.date(2026, 11, 23)
TZ = ZoneInfo("Asia/Shanghai")
CUSTOMERS = 4000
GROUPS = [SKIN] * 30 + [CLEANSER] * 10 + [MASK] * 5 + [MAKEUP] * 10 + [HEALTH] * 30 + [DAILY] * 15


def assortment():
    items = [
        Item(pk=n, kind="product", group=group, bundle=n % 5 == 0, price=Decimal(90 + 7 * n))
        for n, group in enumerate(GROUPS)
    ]
    items += [
        Item(pk=1000 + n, kind="service", group=TREATMENT, bundle=False, price=Decimal(298))
        for n in range(8)
    ]
    return Assortment.build(items)


def plan(seed=1, customers=CUSTOMERS):
    model = DemandModel(random.Random(seed), assortment(), TODAY, TZ)
    joined = random.Random(seed + 100)
    shoppers = []
    for index in range(customers):
        registered = TODAY - datetime.timedelta(days=1 + int((1 - joined.random() ** 0.8) * 1095))
        shoppers.append(model.shopper(index, index + 1, None, 0, registered))
    return model, shoppers


@pytest.fixture(scope="module")
def planned():
    return plan()


def test_spring_festival_follows_the_lunar_calendar():
    assert spring_festival(2025) == datetime.date(2025, 1, 29)
    assert spring_festival(2026) == datetime.date(2026, 2, 17)
    assert festival_of(datetime.date(2026, 2, 5)) == Festival.SPRING
    assert festival_of(datetime.date(2025, 11, 11)) == Festival.DOUBLE_ELEVEN
    assert festival_of(datetime.date(2026, 3, 8)) == Festival.WOMENS_DAY
    assert festival_of(datetime.date(2026, 6, 18)) == Festival.SIX_ONE_EIGHT
    assert festival_of(datetime.date(2026, 7, 14)) == ""
    with pytest.raises(ValueError, match="2050"):
        spring_festival(2050)


def test_peak_days_weigh_more_than_an_ordinary_tuesday():
    tuesday = day_weight(datetime.date(2026, 7, 14))

    assert tuesday == pytest.approx(0.85)
    assert day_weight(datetime.date(2025, 11, 11)) == pytest.approx(0.85 * 4.5)  # a Tuesday
    assert day_weight(datetime.date(2026, 2, 18)) < tuesday  # the holiday week is quiet
    assert day_weight(datetime.date(2026, 2, 3)) == pytest.approx(0.85 * 1.8)  # gift buying


def test_products_are_grouped_by_category_and_name():
    assert product_group("Skin care", "Cosmetics", "Ice-plant cleanser, 120 g") == CLEANSER
    assert product_group("Skin care", "Cosmetics", "Micellar water, 400 ml") == CLEANSER
    assert product_group("Skin care", "Cosmetics", "Sheet mask, hydrating") == MASK
    assert product_group("Skin care", "Cosmetics", "Revitalift cream, 50 ml") == SKIN
    assert product_group("Make-up", "Cosmetics", "Lipstick") == MAKEUP
    assert product_group("Health products", "", "Fish oil") == HEALTH
    assert product_group("Gifts", "", "Tote bag") == DAILY


def test_segments_come_in_realistic_shares(planned):
    _model, shoppers = planned
    shares = collections.Counter(s.segment for s in shoppers)

    assert 0.15 <= shares[LOYAL] / CUSTOMERS <= 0.25
    assert 0.08 <= shares[LAPSING] / CUSTOMERS <= 0.16
    assert 0.20 <= shares[OCCASIONAL] / CUSTOMERS <= 0.30
    assert 0.18 <= shares[ONE_OFF] / CUSTOMERS <= 0.30
    assert 0.18 <= shares[NEVER] / CUSTOMERS <= 0.26
    assert all(not s.visits for s in shoppers if s.segment == NEVER)
    assert all(len(s.visits) == 1 for s in shoppers if s.segment == ONE_OFF)
    occasional = [len(s.visits) for s in shoppers if s.segment == OCCASIONAL]
    assert min(occasional) >= 1  # two draws may fall on one day, or the member joined lately
    assert max(occasional) <= 12
    assert statistics.median(occasional) >= 3


def gaps(shopper):
    days = [moment.date() for moment, _basket, _festival in shopper.visits]
    return [(b - a).days for a, b in zip(days, days[1:], strict=False)]


def test_loyal_members_come_every_three_to_six_weeks_until_today(planned):
    _model, shoppers = planned
    loyal = [s for s in shoppers if s.segment == LOYAL and len(s.visits) >= 6]
    medians = [statistics.median(gaps(s)) for s in loyal]

    assert len(loyal) >= 400
    assert 0.9 <= sum(1 for m in medians if 14 <= m <= 45) / len(medians)
    last = [(TODAY - s.visits[-1][0].date()).days for s in loyal]
    assert max(last) <= 60


def test_no_pile_up_of_visits_on_the_last_day(planned):
    """A regular whose next visit would fall after the history stops there (the day picker
    clips a window past its end to the last day, which once sent every regular in on it)."""
    _model, shoppers = planned
    visits = collections.Counter(m.date() for s in shoppers for m, _b, _f in s.visits)
    last_week = [visits[TODAY - datetime.timedelta(days=n)] for n in range(2, 9)]

    assert visits[TODAY - datetime.timedelta(days=1)] <= 2 * max(last_week)


def test_lapsing_members_stopped_four_to_twelve_months_ago(planned):
    _model, shoppers = planned
    lapsing = [s for s in shoppers if s.segment == LAPSING]
    stopped = [(TODAY - s.visits[-1][0].date()).days for s in lapsing]

    assert len(lapsing) >= 300
    assert min(stopped) >= 120
    assert max(stopped) <= 365 + 60
    assert statistics.median(len(s.visits) for s in lapsing) >= 4


def test_visits_lie_in_the_last_two_years_in_opening_hours(planned):
    _model, shoppers = planned
    moments = [m for s in shoppers for m, _b, _f in s.visits]

    assert min(moments).date() >= TODAY - datetime.timedelta(days=730)
    assert max(moments).date() < TODAY
    assert {m.hour for m in moments} == set(range(10, 22))
    assert all(m.tzinfo is TZ for m in moments)


def revenue_by_day(model, shoppers):
    revenue = collections.Counter()
    for shopper in shoppers:
        for moment, basket, _festival in shopper.visits:
            revenue[moment.date()] += sum(
                model.assortment.items[i].price * quantity for i, quantity in basket
            )
    return revenue


def test_double_eleven_week_sells_twice_an_average_week(planned):
    model, shoppers = planned
    revenue = revenue_by_day(model, shoppers)
    # whole weeks of the last year and its own Double 11 week, so that the customers joining
    # over time weigh equally
    year = [TODAY - datetime.timedelta(days=n) for n in range(1, 365)]
    average_week = sum(revenue[d] for d in year) / Decimal(len(year) / 7)
    double_eleven = sum(revenue[datetime.date(2026, 11, d)] for d in range(5, 12))
    holiday = sum(
        revenue[datetime.date(2026, 2, 17) + datetime.timedelta(days=n)] for n in range(7)
    )

    assert double_eleven / average_week >= 2
    assert holiday / average_week <= Decimal("0.7")


def test_baskets_pair_skin_care_with_cleansers_and_repeat_supplements(planned):
    model, shoppers = planned
    items = model.assortment.items
    with_skin = with_both = 0
    repeats = []
    for shopper in shoppers:
        for _moment, basket, _festival in shopper.visits:
            assert 1 <= len(basket) <= 4
            assert len({i for i, _q in basket}) == len(basket)
            groups = {items[i].group for i, _q in basket}
            if shopper.persona == "skin" and SKIN in groups:
                with_skin += 1
                with_both += CLEANSER in groups
        if shopper.persona == "health" and len(shopper.visits) >= 4:
            favourite = shopper.favourites[0]
            bought = [any(i == favourite for i, _q in b) for _m, b, _f in shopper.visits]
            repeats.append(sum(bought) / len(bought))

    assert 0.4 <= with_both / with_skin <= 0.7
    assert statistics.mean(repeats) >= 0.75


def test_the_same_seed_plans_the_same_visits():
    first = [(s.segment, s.visits) for s in plan(seed=5, customers=300)[1]]
    again = [(s.segment, s.visits) for s in plan(seed=5, customers=300)[1]]
    other = [(s.segment, s.visits) for s in plan(seed=6, customers=300)[1]]

    assert first == again
    assert first != other


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=6))
def test_bulk_points_follow_the_one_rounding_rule(exact):
    scale = 10**6

    assert points_spread_exact(exact, scale) == points_spread(
        [Decimal(value) / scale for value in exact]
    )


@given(
    st.integers(min_value=0, max_value=10**6),
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=5),
)
def test_bulk_discounts_spread_as_checkout_spreads_them(total, weights):
    expected = spread(Decimal(total) / 100, [Decimal(w) / 100 for w in weights])

    assert [Decimal(share) / 100 for share in largest_remainder(total, weights)] == expected
