"""Points earned on a purchase: the multipliers, the one rounding rule, points as payment."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from guanxi.catalog.tests.factories import CategoryFactory
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.loyalty.models import CategoryMultiplier, LoyaltySettings, Promotion, TierLevel
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services import (
    EarnLine,
    category_multiplier_set,
    earning_rates_update,
    points_for_amount,
    points_for_purchase,
    points_value,
    promotion_create,
)
from guanxi.loyalty.services.earning import points_spread

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)
NOON = datetime.datetime(2026, 11, 11, 12, tzinfo=ZONE)


def lines(*amounts, category=None):
    return [
        EarnLine(category_id=category.pk if category else None, amount=Decimal(a)) for a in amounts
    ]


@pytest.fixture
def membership(card):
    return card.membership


@pytest.fixture
def vip_health_star(membership):
    level = TierLevel.objects.get(rank=3)  # default ladder: × 1.50
    membership.tier = level
    membership.save()
    return level


def test_rounding_rule_spreads_the_floor_of_the_exact_total(membership, vip_health_star, store_a):
    # given three lines of 33.33 + 33.33 + 33.34 at 1 point per yuan and a × 1.5 tier:
    # exact 49.995 + 49.995 + 50.01 = 150.00
    # when the points are computed
    points = points_for_purchase(
        membership=membership, lines=lines("33.33", "33.33", "33.34"), store_id=store_a.pk, at=NOON
    )
    # then the total is 150 (rounding each line down would give 148), the largest remainders
    # (the two .995) take the two missing points
    assert points == [50, 50, 50]


def test_rounding_gives_the_missing_point_to_the_largest_fraction(membership, store_a):
    # given the lowest tier (× 1) and lines of 10.40, 10.70, 10.20: exact 31.30
    points = points_for_purchase(
        membership=membership, lines=lines("10.40", "10.70", "10.20"), store_id=store_a.pk, at=NOON
    )
    # then 31 points: 10 + 10 + 10 floors, the one left goes to the .70 line
    assert points == [10, 11, 10]


def test_ties_go_to_the_earlier_line():
    assert points_spread([Decimal("0.5"), Decimal("0.5"), Decimal("0.5")]) == [1, 0, 0]


def test_no_membership_earns_nothing(store_a):
    assert points_for_purchase(
        membership=None, lines=lines("100.00", "50.00"), store_id=store_a.pk, at=NOON
    ) == [0, 0]


def test_negative_amount_is_refused(membership, store_a):
    with pytest.raises(ApplicationError) as error:
        points_for_purchase(
            membership=membership, lines=lines("-1.00"), store_id=store_a.pk, at=NOON
        )
    assert error.value.code == "invalid_amount"


def test_base_rate_from_the_settings(membership, store_a):
    # given 2.5 points per yuan
    earning_rates_update(data={"points_per_currency_unit": Decimal("2.50")}, actor=None)
    # then 39.99 yuan earn floor(99.975) = 99 points
    assert points_for_purchase(
        membership=membership, lines=lines("39.99"), store_id=store_a.pk, at=NOON
    ) == [99]


def test_category_multiplier_applies_to_subcategories(membership, store_a, owner):
    # given Cosmetics × 2 with the subcategory Skin care, and Health with no rule
    cosmetics = CategoryFactory(name_en="Cosmetics X")
    skin = CategoryFactory(name_en="Skin care X", parent=cosmetics)
    serum = CategoryFactory(name_en="Serums X", parent=skin)
    health = CategoryFactory(name_en="Health X")
    category_multiplier_set(category=cosmetics, multiplier=Decimal("2"), actor=owner)
    # when a serum (two levels below) and a health product are bought for 100 each
    points = points_for_purchase(
        membership=membership,
        lines=[
            EarnLine(category_id=serum.pk, amount=Decimal("100.00")),
            EarnLine(category_id=health.pk, amount=Decimal("100.00")),
            EarnLine(category_id=None, amount=Decimal("100.00")),
        ],
        store_id=store_a.pk,
        at=NOON,
    )
    # then the serum inherits × 2, the others × 1
    assert points == [200, 100, 100]


def test_the_highest_category_multiplier_of_the_chain_applies(membership, store_a, owner):
    # given the parent × 3 and its child × 1.5
    parent = CategoryFactory(name_en="Parent")
    child = CategoryFactory(name_en="Child", parent=parent)
    category_multiplier_set(category=parent, multiplier=Decimal("3"), actor=owner)
    category_multiplier_set(category=child, multiplier=Decimal("1.5"), actor=owner)
    # then the child earns × 3
    assert points_for_purchase(
        membership=membership,
        lines=[EarnLine(category_id=child.pk, amount=Decimal("10.00"))],
        store_id=store_a.pk,
        at=NOON,
    ) == [30]
    # and setting again changes the one rule, audited
    category_multiplier_set(category=parent, multiplier=Decimal("1"), actor=owner)
    assert CategoryMultiplier.objects.count() == 2
    assert CategoryMultiplier.objects.get(category=parent).multiplier == Decimal("1.00")
    assert AuditEvent.objects.filter(object_type="loyalty.categorymultiplier").count() == 3


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Asia/Shanghai local dates: the promotion runs 11-10 to 11-11 inclusive
        (datetime.datetime(2026, 11, 9, 23, 59, tzinfo=ZONE), [100]),
        (datetime.datetime(2026, 11, 10, 0, 0, tzinfo=ZONE), [300]),
        (datetime.datetime(2026, 11, 11, 23, 59, tzinfo=ZONE), [300]),
        (datetime.datetime(2026, 11, 12, 0, 0, tzinfo=ZONE), [100]),
        # 16:30 UTC on 11-09 is 00:30 on 11-10 in Shanghai: inside
        (datetime.datetime(2026, 11, 9, 16, 30, tzinfo=datetime.UTC), [300]),
        # 16:30 UTC on 11-11 is 00:30 on 11-12 in Shanghai: outside
        (datetime.datetime(2026, 11, 11, 16, 30, tzinfo=datetime.UTC), [100]),
    ],
)
def test_promotions_apply_only_inside_their_local_dates(
    membership, store_a, owner, moment, expected
):
    promotion_create(
        name="Double 11",
        starts_on=datetime.date(2026, 11, 10),
        ends_on=datetime.date(2026, 11, 11),
        multiplier=Decimal("3"),
        actor=owner,
    )
    assert (
        points_for_purchase(
            membership=membership, lines=lines("100.00"), store_id=store_a.pk, at=moment
        )
        == expected
    )


def test_highest_promotion_of_store_and_category_applies_and_kinds_multiply(
    membership, vip_health_star, store_a, store_b, owner
):
    # given a × 1.5 tier, cosmetics × 2, a store-A promotion × 2, a store-B one × 5,
    # a cosmetics promotion × 3 and an inactive one × 10
    cosmetics = CategoryFactory(name_en="Cosmetics Y")
    skin = CategoryFactory(name_en="Skin Y", parent=cosmetics)
    category_multiplier_set(category=cosmetics, multiplier=Decimal("2"), actor=owner)
    day = NOON.date()
    common = {"starts_on": day, "ends_on": day, "actor": owner}
    promotion_create(name="A", multiplier=Decimal("2"), store=store_a, **common)
    promotion_create(name="B", multiplier=Decimal("5"), store=store_b, **common)
    promotion_create(name="Cosmetics", multiplier=Decimal("3"), category=cosmetics, **common)
    promotion_create(name="Off", multiplier=Decimal("10"), is_active=False, **common)
    # when a skin-care line and a line without category earn 10 yuan each in store A
    points = points_for_purchase(
        membership=membership,
        lines=[
            EarnLine(category_id=skin.pk, amount=Decimal("10.00")),
            EarnLine(category_id=None, amount=Decimal("10.00")),
        ],
        store_id=store_a.pk,
        at=NOON,
    )
    # then skin: 10 × 1 × 1.5 × 2 × 3 = 90; other: 10 × 1 × 1.5 × 1 × 2 = 30
    assert points == [90, 30]


def test_promotion_dates_out_of_order_are_refused(owner):
    with pytest.raises(Exception):  # noqa: B017, PT011 - ValidationError from full_clean
        promotion_create(
            name="Backwards",
            starts_on=datetime.date(2026, 11, 12),
            ends_on=datetime.date(2026, 11, 11),
            multiplier=Decimal("2"),
            actor=owner,
        )
    assert Promotion.objects.count() == 0


def test_points_as_payment_at_the_default_rate():
    # 100 points pay 1.00
    assert points_value(150) == Decimal("1.50")
    assert points_value(1) == Decimal("0.01")
    assert points_for_amount(Decimal("1.50")) == 150
    assert points_for_amount(Decimal("0.01")) == 1


def test_points_as_payment_rounds_against_the_member_at_an_odd_rate():
    # given 30 points per yuan
    LoyaltySettings.objects.filter(pk=loyalty_settings_get().pk).update(points_redeem_rate=30)
    # then paying 1.01 needs ceil(30.3) = 31 points, and 31 points are worth 1.03 (down)
    assert points_for_amount(Decimal("1.01")) == 31
    assert points_value(31) == Decimal("1.03")
    assert points_value(29) == Decimal("0.96")


exact_points = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("100000"), places=4, allow_nan=False
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(exact_points, min_size=1, max_size=30))
def test_property_spread_sums_to_the_floor_and_stays_within_a_point(exact):
    spread = points_spread(exact)
    total = sum(exact, Decimal(0))
    assert sum(spread) == int(total // 1)
    assert all(abs(Decimal(p) - e) < 1 for p, e in zip(spread, exact, strict=True))
    assert all(p >= 0 for p in spread)


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2),
        min_size=1,
        max_size=8,
    )
)
def test_property_purchase_points_follow_the_rule(membership, store_a, amounts):
    # the lowest tier × 1, base rate 1: exact points are the amounts
    points = points_for_purchase(
        membership=membership,
        lines=[EarnLine(category_id=None, amount=a) for a in amounts],
        store_id=store_a.pk,
        at=NOON,
    )
    assert sum(points) == int(sum(amounts, Decimal(0)) // 1)
    assert all(abs(Decimal(p) - a) < 1 for p, a in zip(points, amounts, strict=True))
