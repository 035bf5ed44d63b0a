"""The default tier ladder: Regular → VIP → VIP Health Star → VIP Health Angel (CNY thresholds).

The owner edits it afterwards under /loyalty/tiers/. Going back removes the default levels that
no membership or tier history uses; levels the owner added or that are in use stay.
"""

from decimal import Decimal

from django.db import migrations

DEFAULT_LADDER = [
    {
        "rank": 1,
        "name_en": "Regular",
        "name_zh_hans": "普通会员",
        "name_zh_hant": "普通會員",
        "threshold": Decimal("0.00"),
        "discount_percent": Decimal("0.00"),
        "points_multiplier": Decimal("1.00"),
        "birthday_gift": "",
    },
    {
        "rank": 2,
        "name_en": "VIP",
        "name_zh_hans": "VIP会员",
        "name_zh_hant": "VIP會員",
        "threshold": Decimal("3000.00"),
        "discount_percent": Decimal("5.00"),
        "points_multiplier": Decimal("1.20"),
        "birthday_gift": "Birthday voucher worth ¥50",
    },
    {
        "rank": 3,
        "name_en": "VIP Health Star",
        "name_zh_hans": "VIP健康之星",
        "name_zh_hant": "VIP健康之星",
        "threshold": Decimal("10000.00"),
        "discount_percent": Decimal("8.00"),
        "points_multiplier": Decimal("1.50"),
        "birthday_gift": "Birthday gift set and one free care session",
    },
    {
        "rank": 4,
        "name_en": "VIP Health Angel",
        "name_zh_hans": "VIP健康天使",
        "name_zh_hant": "VIP健康天使",
        "threshold": Decimal("30000.00"),
        "discount_percent": Decimal("12.00"),
        "points_multiplier": Decimal("2.00"),
        "birthday_gift": "Premium birthday gift box and two free care sessions",
    },
]


def ladder_create(apps, schema_editor):
    TierLevel = apps.get_model("loyalty", "TierLevel")
    if TierLevel.objects.exists():
        return  # the owner already has a ladder: leave it alone
    for level in DEFAULT_LADDER:
        TierLevel.objects.create(**level)


def ladder_remove(apps, schema_editor):
    TierLevel = apps.get_model("loyalty", "TierLevel")
    Membership = apps.get_model("loyalty", "Membership")
    TierChange = apps.get_model("loyalty", "TierChange")
    used = set(Membership.objects.exclude(tier=None).values_list("tier_id", flat=True))
    used |= set(TierChange.objects.values_list("to_level_id", flat=True))
    used |= set(TierChange.objects.exclude(from_level=None).values_list("from_level_id", flat=True))
    for level in DEFAULT_LADDER:
        TierLevel.objects.filter(
            rank=level["rank"], name_en=level["name_en"], threshold=level["threshold"]
        ).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0003_tiers")]

    operations = [migrations.RunPython(ladder_create, ladder_remove, elidable=False)]
