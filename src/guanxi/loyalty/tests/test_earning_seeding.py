"""The demo data of the points rules, coupons and gifts."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings

from guanxi.core.seeding import SEEDERS, SeedContext
from guanxi.loyalty.models import CategoryMultiplier, Coupon, Gift, Promotion
from guanxi.loyalty.seeding_earning import earning_seed
from guanxi.loyalty.services import EarnLine, points_for_purchase

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 15)
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def run(store):
    context = SeedContext(
        seed=1,
        customers=0,
        store_count=1,
        password="x",
        today=TODAY,
        random=None,  # the seeder draws no randomness
        stores=[store],
    )
    earning_seed(context)
    return context


def test_registered_after_the_catalogue():
    import guanxi.catalog.seeding  # noqa: F401 - registers the catalogue's seeder

    assert SEEDERS["loyalty-earning"].order == 35
    assert SEEDERS["loyalty-earning"].order > SEEDERS["catalog"].order


def test_seeds_rules_promotions_coupons_and_eight_gifts(store_a):
    context = run(store_a)
    assert {
        (rule.category.name_en, rule.multiplier) for rule in CategoryMultiplier.objects.all()
    } == {
        ("Cosmetics", Decimal("1.50")),
        ("Skin care", Decimal("2.00")),
        ("Health products", Decimal("1.20")),
    }
    double_11 = Promotion.objects.filter(name__startswith="Double 11").order_by("starts_on")
    assert [(p.starts_on, p.ends_on, p.multiplier) for p in double_11] == [
        (datetime.date(year, 11, 1), datetime.date(year, 11, 11), Decimal("3.00"))
        for year in (2024, 2025, 2026)
    ]
    assert Promotion.objects.count() == 9
    assert set(Coupon.objects.values_list("code", flat=True)) == {
        "WELCOME10",
        "SINGLES2026",
        "MID2026",
        "WOMEN2026",
        f"STORE{store_a.pk}",
    }
    gifts = list(Gift.objects.order_by("points"))
    assert len(gifts) == 8
    assert all(g.name_en and g.name_zh_hans and g.name_zh_hant for g in gifts)
    assert (gifts[0].name_zh_hant, gifts[0].points, gifts[0].stock) == ("旅行裝護手霜", 300, 120)
    assert context.counts == {
        "category multipliers": 3,
        "promotions": 9,
        "coupons": 5,
        "gifts": 8,
    }
    assert len(context.data["loyalty.gifts"]) == 8


def test_seeded_rules_earn_as_documented(store_a, card):
    # given the demo rules: skin care × 2 (above cosmetics × 1.5), Double 11 × 3
    run(store_a)
    skin = CategoryMultiplier.objects.get(category__name_en="Skin care").category
    day = datetime.datetime(2025, 11, 11, 15, tzinfo=ZONE)
    # then 100 yuan of skin care on Double 11 earn 100 × 1 × 2 × 3 = 600 points
    assert points_for_purchase(
        membership=card.membership,
        lines=[EarnLine(category_id=skin.pk, amount=Decimal("100.00"))],
        store_id=store_a.pk,
        at=day,
    ) == [600]
