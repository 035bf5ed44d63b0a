"""Demo data of the points rules: category multipliers, promotions around the shopping festivals
(Double 11 every year, 3.8 Women's Day, 618), a few coupons and a gift catalogue of eight gifts
named in the three languages.

Everything goes through the services (audited), with dates relative to ``context.today``, so the
data is the same for a given seed and day. The seeder registers itself on import as
``loyalty-earning`` (order 35: after the catalogue, before orders) and leaves what later seeders
need in ``context.data``: ``loyalty.gifts``, ``loyalty.coupons``, ``loyalty.promotions``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from guanxi.catalog.selectors import category_list
from guanxi.core.seeding import SeedContext, seeder_register
from guanxi.loyalty.models import Coupon, CouponKind, Gift, Promotion
from guanxi.loyalty.services.coupons import coupon_create
from guanxi.loyalty.services.earning import category_multiplier_set, promotion_create
from guanxi.loyalty.services.gifts import gift_create

# (English name of the category, its parent's or None, multiplier)
CATEGORY_MULTIPLIERS = [
    ("Cosmetics", None, Decimal("1.5")),
    ("Skin care", "Cosmetics", Decimal("2")),
    ("Health products", None, Decimal("1.2")),
]

# (English, simplified, traditional, points, stock)
GIFTS = [
    ("Travel-size hand cream", "旅行装护手霜", "旅行裝護手霜", 300, 120),
    ("Cotton face towel", "纯棉洗脸巾", "純棉洗臉巾", 500, 80),
    ("Sheet masks, pack of 5", "面膜五片装", "面膜五片裝", 800, 60),
    ("Silk eye mask", "真丝眼罩", "真絲眼罩", 1200, 50),
    ("Insulated tea flask", "保温茶杯", "保溫茶杯", 1500, 40),
    ("Goji berry gift box", "枸杞礼盒", "枸杞禮盒", 2000, 30),
    ("Facial treatment voucher", "面部护理体验券", "臉部護理體驗券", 3000, 25),
    ("Foot bath massager", "足浴按摩器", "足浴按摩器", 6000, 10),
]

HISTORY_YEARS = 2  # promotions for this year and the two before (the demo's order history)


def _category(name_en: str, parent_en: str | None) -> Any:
    categories = category_list().filter(name_en=name_en)
    if parent_en is None:
        return categories.filter(parent__isnull=True).first()
    return categories.filter(parent__name_en=parent_en).first()


def _multipliers_build() -> int:
    made = 0
    for name_en, parent_en, multiplier in CATEGORY_MULTIPLIERS:
        category = _category(name_en, parent_en)
        if category is not None:
            category_multiplier_set(category=category, multiplier=multiplier, actor=None)
            made += 1
    return made


def _promotions_build(context: SeedContext) -> list[Promotion]:
    cosmetics = _category("Cosmetics", None)
    promotions = []
    for year in range(context.today.year - HISTORY_YEARS, context.today.year + 1):
        promotions.append(
            promotion_create(
                name=f"Double 11 triple points {year}",
                starts_on=datetime.date(year, 11, 1),
                ends_on=datetime.date(year, 11, 11),
                multiplier=Decimal("3"),
                actor=None,
            )
        )
        promotions.append(
            promotion_create(
                name=f"618 double points {year}",
                starts_on=datetime.date(year, 6, 16),
                ends_on=datetime.date(year, 6, 18),
                multiplier=Decimal("2"),
                actor=None,
            )
        )
        if cosmetics is not None:
            promotions.append(
                promotion_create(
                    name=f"Women's Day beauty points {year}",
                    starts_on=datetime.date(year, 3, 6),
                    ends_on=datetime.date(year, 3, 8),
                    multiplier=Decimal("2"),
                    category=cosmetics,
                    actor=None,
                )
            )
    return promotions


def _coupons_build(context: SeedContext) -> list[Coupon]:
    today, year = context.today, context.today.year
    store = context.stores[0] if context.stores else None
    specs: list[dict[str, Any]] = [
        {
            "code": "WELCOME10",
            "name": "Welcome: 10% off the first visit",
            "kind": CouponKind.PERCENT,
            "value": Decimal("10"),
            "valid_from": today - datetime.timedelta(days=365),
            "valid_until": today + datetime.timedelta(days=365),
            "max_uses_per_customer": 1,
        },
        {
            "code": f"SINGLES{year}",
            "name": f"Double 11 {year}: 100 off 800",
            "kind": CouponKind.AMOUNT,
            "value": Decimal("100"),
            "minimum_spend": Decimal("800"),
            "valid_from": datetime.date(year, 11, 1),
            "valid_until": datetime.date(year, 11, 11),
            "max_uses": 500,
            "max_uses_per_customer": 1,
        },
        {
            "code": f"MID{year}",
            "name": f"618 {year}: 50 off 500",
            "kind": CouponKind.AMOUNT,
            "value": Decimal("50"),
            "minimum_spend": Decimal("500"),
            "valid_from": datetime.date(year, 6, 1),
            "valid_until": datetime.date(year, 6, 18),
            "max_uses_per_customer": 2,
        },
        {
            "code": f"WOMEN{year}",
            "name": f"3.8 Women's Day {year}: 8% off 300",
            "kind": CouponKind.PERCENT,
            "value": Decimal("8"),
            "minimum_spend": Decimal("300"),
            "valid_from": datetime.date(year, 3, 1),
            "valid_until": datetime.date(year, 3, 8),
        },
    ]
    if store is not None:
        specs.append(
            {
                "code": f"STORE{store.pk}",
                "name": f"{store.name}: 20 off 200",
                "kind": CouponKind.AMOUNT,
                "value": Decimal("20"),
                "minimum_spend": Decimal("200"),
                "valid_from": today - datetime.timedelta(days=30),
                "valid_until": today + datetime.timedelta(days=60),
                "store": store,
                "max_uses": 200,
            }
        )
    return [coupon_create(actor=None, **spec) for spec in specs]


def _gifts_build() -> list[Gift]:
    return [
        gift_create(
            name_en=en, name_zh_hans=hans, name_zh_hant=hant, points=points, stock=stock, actor=None
        )
        for en, hans, hant, points, stock in GIFTS
    ]


def earning_seed(context: SeedContext) -> None:
    """Category multipliers, promotions, coupons and the gift catalogue."""
    multipliers = _multipliers_build()
    promotions = _promotions_build(context)
    coupons = _coupons_build(context)
    gifts = _gifts_build()
    context.data["loyalty.promotions"] = promotions
    context.data["loyalty.coupons"] = coupons
    context.data["loyalty.gifts"] = gifts
    context.count("category multipliers", multipliers)
    context.count("promotions", len(promotions))
    context.count("coupons", len(coupons))
    context.count("gifts", len(gifts))


seeder_register("loyalty-earning", 35, earning_seed)
