"""The navigation bar: items of one group gathered into a menu, a lone item shown alone."""

from __future__ import annotations

import pytest

from guanxi.core.permissions import Role
from guanxi.core.registry import nav_menu
from guanxi.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(user):
    return {(entry.group.key if entry.group else entry.item.key): entry for entry in nav_menu(user)}


def test_the_owner_sees_the_member_card_pages_in_one_menu():
    owner = UserFactory(role=Role.OWNER)
    entries = _entries(owner)
    menu = entries["member-card"]
    assert [item.key for item in menu.items] == [
        "loyalty-tiers",
        "loyalty-settings",
        "loyalty-bonus-rules",
        "loyalty-earning",
        "loyalty-coupons",
        "loyalty-gifts",
    ]
    assert not {item.key for item in menu.items} & set(entries)
    assert [item.key for item in entries["organisation"].items] == ["stores", "staff", "audit"]
    # The menu takes the place of its first item: after the analytics, before member events.
    keys = list(entries)
    assert keys.index("analytics") < keys.index("member-card") < keys.index("organisation")


def test_a_group_with_one_visible_item_is_a_plain_link():
    sales = UserFactory(role=Role.SALES)
    entries = _entries(sales)
    assert "member-card" not in entries
    organisation = [key for key in ("organisation", "stores", "staff", "audit") if key in entries]
    for key in organisation:
        assert (entries[key].group is None) == (key != "organisation")


def test_the_bar_marks_the_current_menu(client):
    owner = UserFactory(role=Role.OWNER)
    client.force_login(owner)
    page = client.get("/loyalty/tiers/").content.decode()
    assert 'class="nav-link dropdown-toggle active" href="#" role="button"' in page
    assert 'data-nav-group="member-card"' in page
    assert 'data-nav="loyalty-tiers"' in page
