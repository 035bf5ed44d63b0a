"""Owner pages of the tier ladder: list, edit a level, the policy; other roles get 403."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.core.registry import nav_for
from guanxi.loyalty.choices import TierBasis
from guanxi.loyalty.models import LoyaltySettings, TierLevel

pytestmark = pytest.mark.django_db

LEVEL_POST = {
    "rank": "5",
    "name_en": "VIP Health Legend",
    "name_zh_hans": "VIP健康传奇",
    "name_zh_hant": "VIP健康傳奇",
    "threshold": "80000.00",
    "discount_percent": "15",
    "points_multiplier": "2.5",
    "birthday_gift": "Spa day",
}


def test_owner_sees_the_ladder_and_the_policy(client, owner):
    client.force_login(owner)
    response = client.get(reverse("loyalty:tier-list"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Regular", "VIP Health Star", "VIP Health Angel", "Lifetime spend"):
        assert name in body
    assert [level.name_en for level in response.context["levels"]] == [
        "Regular",
        "VIP",
        "VIP Health Star",
        "VIP Health Angel",
    ]


def test_list_queries_do_not_grow_with_the_ladder(client, owner):
    # given the page rendered with the default four levels
    client.force_login(owner)
    client.get(reverse("loyalty:tier-list"))
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("loyalty:tier-list"))
    # when three more levels exist
    for rank in (5, 6, 7):
        TierLevel.objects.create(
            rank=rank,
            name_en=f"L{rank}",
            name_zh_hans="x",
            name_zh_hant="x",
            threshold=rank * 50000,
        )
    with CaptureQueriesContext(connection) as seven:
        response = client.get(reverse("loyalty:tier-list"))
    # then the page costs the same number of queries
    assert len(response.context["levels"]) == 7
    assert len(seven) == len(four)


def test_owner_adds_a_level(client, owner):
    client.force_login(owner)
    response = client.post(reverse("loyalty:tier-create"), LEVEL_POST)
    assert response.status_code == 302
    level = TierLevel.objects.get(rank=5)
    assert (level.threshold, level.discount_percent, level.points_multiplier) == (
        Decimal("80000.00"),
        Decimal("15.00"),
        Decimal("2.50"),
    )
    assert AuditEvent.objects.filter(
        object_type="loyalty.tierlevel", object_pk=str(level.pk)
    ).exists()


def test_owner_edits_a_level(client, owner):
    client.force_login(owner)
    vip = TierLevel.objects.get(name_en="VIP")
    url = reverse("loyalty:tier-update", kwargs={"pk": vip.pk})
    assert client.get(url).status_code == 200
    data = {
        "rank": "2",
        "name_en": "VIP",
        "name_zh_hans": "VIP会员",
        "name_zh_hant": "VIP會員",
        "threshold": "5000.00",
        "discount_percent": "6",
        "points_multiplier": "1.3",
        "birthday_gift": "Cake",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    vip.refresh_from_db()
    assert (vip.threshold, vip.discount_percent, vip.birthday_gift) == (
        Decimal("5000.00"),
        Decimal("6.00"),
        "Cake",
    )
    audit = AuditEvent.objects.get(object_type="loyalty.tierlevel", object_pk=str(vip.pk))
    assert audit.changes["threshold"] == ["3000.00", "5000.00"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threshold", "40000.00", "A higher rank needs a higher spend threshold"),
        ("discount_percent", "101", "less than or equal to 100"),
        ("points_multiplier", "0.5", "greater than or equal to 1"),
        ("rank", "3", "already exists"),
    ],
    ids=["threshold_out_of_order", "discount_over_100", "multiplier_below_1", "rank_taken"],
)
def test_invalid_level_is_refused_next_to_the_field(client, owner, field, value, message):
    client.force_login(owner)
    vip = TierLevel.objects.get(name_en="VIP")
    before = list(TierLevel.objects.values_list("rank", "threshold", "discount_percent"))
    data = {
        "rank": "2",
        "name_en": "VIP",
        "name_zh_hans": "VIP会员",
        "name_zh_hant": "VIP會員",
        "threshold": "3000.00",
        "discount_percent": "5",
        "points_multiplier": "1.2",
        "birthday_gift": "",
    } | {field: value}
    response = client.post(reverse("loyalty:tier-update", kwargs={"pk": vip.pk}), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert list(TierLevel.objects.values_list("rank", "threshold", "discount_percent")) == before


def test_owner_changes_the_policy(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:tier-policy"),
        {"tier_basis": TierBasis.ROLLING_12_MONTHS, "tier_downgrade_allowed": "on"},
    )
    assert response.status_code == 302
    settings = LoyaltySettings.objects.get(pk=1)
    assert (settings.tier_basis, settings.tier_downgrade_allowed) == (
        TierBasis.ROLLING_12_MONTHS,
        True,
    )
    assert AuditEvent.objects.filter(object_type="loyalty.loyaltysettings").exists()


def test_unknown_level_is_404(client, owner):
    client.force_login(owner)
    assert client.get(reverse("loyalty:tier-update", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.parametrize("role", [Role.SALES, Role.STORE_MANAGER], ids=str)
def test_other_roles_are_refused_and_nothing_changes(client, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))
    vip = TierLevel.objects.get(name_en="VIP")
    before = list(TierLevel.objects.values_list("pk", "rank", "threshold"))
    assert client.get(reverse("loyalty:tier-list")).status_code == 403
    assert client.post(reverse("loyalty:tier-create"), LEVEL_POST).status_code == 403
    url = reverse("loyalty:tier-update", kwargs={"pk": vip.pk})
    assert client.post(url, LEVEL_POST | {"rank": "2"}).status_code == 403
    policy = {"tier_basis": TierBasis.ROLLING_12_MONTHS, "tier_downgrade_allowed": "on"}
    assert client.post(reverse("loyalty:tier-policy"), policy).status_code == 403
    assert list(TierLevel.objects.values_list("pk", "rank", "threshold")) == before
    assert not LoyaltySettings.objects.filter(tier_downgrade_allowed=True).exists()


def test_nav_shows_member_tiers_to_the_owner_only(owner, make_staff, store_a):
    sales = make_staff(role=Role.SALES, stores=[store_a])
    assert "loyalty-tiers" in [item.key for item in nav_for(owner)]
    assert "loyalty-tiers" not in [item.key for item in nav_for(sales)]
