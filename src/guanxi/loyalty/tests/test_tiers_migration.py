"""Data migration 0004: the default ladder comes and goes, and leaves the owner's own alone."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from guanxi.loyalty.models import Membership, TierLevel

pytestmark = pytest.mark.django_db

migration = importlib.import_module("guanxi.loyalty.migrations.0004_default_tiers")


@pytest.fixture
def apps():
    """The models as migration 0004 sees them (historical models, not the current ones)."""
    loader = MigrationLoader(connection)
    return loader.project_state(("loyalty", "0004_default_tiers")).apps


def ladder():
    return list(TierLevel.objects.order_by("rank").values_list("rank", "name_en", "threshold"))


def test_forward_creates_the_default_ladder_and_back_removes_it(apps):
    # given the migrated database: the ladder is there
    assert ladder() == [
        (1, "Regular", Decimal("0.00")),
        (2, "VIP", Decimal("3000.00")),
        (3, "VIP Health Star", Decimal("10000.00")),
        (4, "VIP Health Angel", Decimal("30000.00")),
    ]
    # when migrating back, then forward again
    migration.ladder_remove(apps, None)
    assert ladder() == []
    migration.ladder_create(apps, None)
    # then the same ladder is back
    assert [name for _rank, name, _threshold in ladder()] == [
        "Regular",
        "VIP",
        "VIP Health Star",
        "VIP Health Angel",
    ]
    assert TierLevel.objects.get(name_en="VIP").name_zh_hans == "VIP会员"


def test_forward_leaves_an_existing_ladder_alone(apps):
    TierLevel.objects.exclude(rank=1).delete()
    migration.ladder_create(apps, None)
    assert ladder() == [(1, "Regular", Decimal("0.00"))]


def test_back_keeps_levels_in_use(apps, card):
    Membership.objects.filter(pk=card.membership_id).update(
        tier=TierLevel.objects.get(name_en="VIP")
    )
    migration.ladder_remove(apps, None)
    assert ladder() == [(2, "VIP", Decimal("3000.00"))]
