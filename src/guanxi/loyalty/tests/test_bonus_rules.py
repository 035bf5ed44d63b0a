"""Owner pages of the stored-value bonus rules and their services: list, create, edit,
deactivate; the rules then decide the bonus of a top-up."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import BonusRule
from guanxi.loyalty.selectors import bonus_rule_list, card_balances
from guanxi.loyalty.services import (
    bonus_rule_create,
    bonus_rule_deactivate,
    bonus_rule_update,
    stored_value_topup,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/loyalty/bonus-rules/"
CREATE_URL = "/loyalty/bonus-rules/create/"


def _rule(store=None, minimum="1000.00", bonus="100.00"):
    return bonus_rule_create(
        store=store, minimum_topup=Decimal(minimum), bonus=Decimal(bonus), actor=None
    )


def _bonus_after_topup(card, owner, amount="1000.00"):
    stored_value_topup(card=card, amount=Decimal(amount), payment="cash", actor=owner)
    return card_balances(card)[AccountKind.STORED_VALUE_BONUS]


def _row(html, rule):
    return html[html.index(f'data-bonus-rule="{rule.pk}"') :].split("</tr>")[0]


def test_urls_are_stable():
    assert reverse("loyalty:bonus-rule-list") == LIST_URL
    assert reverse("loyalty:bonus-rule-create") == CREATE_URL
    assert (
        reverse("loyalty:bonus-rule-update", kwargs={"pk": 7}) == "/loyalty/bonus-rules/7/update/"
    )
    assert (
        reverse("loyalty:bonus-rule-deactivate", kwargs={"pk": 7})
        == "/loyalty/bonus-rules/7/deactivate/"
    )


# --- The list ---------------------------------------------------------------------------------------


def test_list_shows_each_offer_its_stores_and_state(client, owner, store_a):
    everywhere = _rule()
    shop = _rule(store=store_a, minimum="500.00", bonus="40.00")
    old = _rule(store=store_a, minimum="2000.00", bonus="300.00")
    bonus_rule_deactivate(rule=old, actor=owner)
    client.force_login(owner)
    html = client.get(LIST_URL).content.decode()
    assert "Top up CN¥1,000.00, get CN¥100.00" in _row(html, everywhere)
    assert "All stores" in _row(html, everywhere)
    assert "Top up CN¥500.00, get CN¥40.00" in _row(html, shop)
    assert "Store A" in _row(html, shop)
    assert 'class="text-body-secondary"' in _row(html, old)
    assert "Inactive" in _row(html, old)
    assert reverse("loyalty:bonus-rule-deactivate", kwargs={"pk": old.pk}) not in html
    assert reverse("loyalty:bonus-rule-deactivate", kwargs={"pk": shop.pk}) in html
    # active rules first; all-stores rules before a store's
    assert html.index(f'data-bonus-rule="{everywhere.pk}"') < html.index(
        f'data-bonus-rule="{shop.pk}"'
    )
    assert html.index(f'data-bonus-rule="{shop.pk}"') < html.index(f'data-bonus-rule="{old.pk}"')


def test_list_queries_do_not_grow_with_the_rules(
    client, owner, store_a, store_b, django_assert_max_num_queries
):
    client.force_login(owner)
    _rule(store=store_a)
    client.get(LIST_URL)
    for index in range(10):
        _rule(store=store_b if index % 2 else store_a, minimum=f"{2000 + index}.00")
    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)
    assert response.content.decode().count("data-bonus-rule=") == 11


# --- Create, edit, deactivate ----------------------------------------------------------------------


def test_owner_creates_a_rule_for_all_stores_and_the_next_topup_gets_it(client, owner, card):
    client.force_login(owner)
    response = client.post(CREATE_URL, {"store": "", "minimum_topup": "1000", "bonus": "100"})
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    rule = BonusRule.objects.get()
    assert (rule.store_id, rule.minimum_topup, rule.bonus, rule.is_active) == (
        None,
        Decimal("1000.00"),
        Decimal("100.00"),
        True,
    )
    assert AuditEvent.objects.filter(
        object_type="loyalty.bonusrule", object_pk=str(rule.pk), action=AuditAction.CREATE
    ).exists()
    assert _bonus_after_topup(card, owner) == Decimal("100.00")


def test_a_rule_of_another_store_gives_no_bonus(client, owner, card, store_b):
    client.force_login(owner)
    client.post(CREATE_URL, {"store": str(store_b.pk), "minimum_topup": "500", "bonus": "50"})
    assert BonusRule.objects.get().store_id == store_b.pk
    assert _bonus_after_topup(card, owner) == Decimal("0.00")


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        pytest.param(
            {"minimum_topup": "0", "bonus": "0"},
            "minimum_topup",
            "Ensure this value is greater than or equal to 0.01.",
            id="zero_minimum_case",
        ),
        pytest.param(
            {"minimum_topup": "100", "bonus": "-1"},
            "bonus",
            "Ensure this value is greater than or equal to 0.00.",
            id="negative_bonus_case",
        ),
        pytest.param(
            {"minimum_topup": "100", "bonus": "150"},
            "bonus",
            "The bonus cannot be more than the minimum top-up.",
            id="bonus_above_minimum_case",
        ),
        pytest.param(
            {"minimum_topup": "1000", "bonus": "80"},
            "minimum_topup",
            "An active rule for the same stores already starts at CN¥1,000.00.",
            id="duplicate_case",
        ),
    ],
)
def test_invalid_rules_are_refused(client, owner, post, field, message):
    existing = _rule()
    client.force_login(owner)
    audits = AuditEvent.objects.count()
    response = client.post(CREATE_URL, {"store": "", **post})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert list(BonusRule.objects.values_list("pk", flat=True)) == [existing.pk]
    assert AuditEvent.objects.count() == audits


def test_owner_edits_a_rule_and_the_change_is_audited(client, owner, card):
    rule = _rule()
    client.force_login(owner)
    url = reverse("loyalty:bonus-rule-update", kwargs={"pk": rule.pk})
    form = client.get(url).content.decode()
    assert 'value="1000.00"' in form
    assert 'value="100.00"' in form
    response = client.post(url, {"store": "", "minimum_topup": "1000.00", "bonus": "150.00"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.bonus == Decimal("150.00")
    event = AuditEvent.objects.get(
        object_type="loyalty.bonusrule", object_pk=str(rule.pk), action=AuditAction.UPDATE
    )
    assert event.changes == {"bonus": ["100.00", "150.00"]}
    assert event.actor == owner
    assert _bonus_after_topup(card, owner) == Decimal("150.00")


def test_editing_a_rule_to_its_own_values_is_no_duplicate(client, owner):
    rule = _rule()
    client.force_login(owner)
    url = reverse("loyalty:bonus-rule-update", kwargs={"pk": rule.pk})
    response = client.post(url, {"store": "", "minimum_topup": "1000", "bonus": "100"})
    assert response.status_code == 302


def test_owner_deactivates_a_rule_after_confirming(client, owner, card):
    rule = _rule()
    client.force_login(owner)
    url = reverse("loyalty:bonus-rule-deactivate", kwargs={"pk": rule.pk})
    confirm = client.get(url).content.decode()
    assert 'id="bonus-rule-deactivate"' in confirm
    assert "Top up CN¥1,000.00, get CN¥100.00" in confirm
    rule.refresh_from_db()
    assert rule.is_active is True
    response = client.post(url)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.is_active is False
    event = AuditEvent.objects.get(
        object_type="loyalty.bonusrule", object_pk=str(rule.pk), action=AuditAction.UPDATE
    )
    assert event.changes == {"is_active": [True, False]}
    assert _bonus_after_topup(card, owner) == Decimal("0.00")


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.SALES, Role.MARKETER])
def test_other_roles_are_forbidden_or_do_not_find_the_rule(
    client, make_staff, store_a, store_b, role
):
    own, everywhere, other = _rule(store=store_a), _rule(minimum="2000"), _rule(store=store_b)
    client.force_login(make_staff(role=role, stores=[store_a]))
    assert client.get(LIST_URL).status_code == 403
    assert client.post(CREATE_URL, {"minimum_topup": "300", "bonus": "3"}).status_code == 403
    for rule, status in ((own, 403), (everywhere, 403), (other, 404)):
        for name in ("loyalty:bonus-rule-update", "loyalty:bonus-rule-deactivate"):
            url = reverse(name, kwargs={"pk": rule.pk})
            assert client.get(url).status_code == status
            assert client.post(url, {"minimum_topup": "5", "bonus": "1"}).status_code == status
    assert BonusRule.objects.count() == 3
    assert BonusRule.objects.filter(is_active=True).count() == 3
    assert set(BonusRule.objects.values_list("minimum_topup", flat=True)) == {
        Decimal("1000.00"),
        Decimal("2000.00"),
    }


def test_services_refuse_a_non_owner(make_staff, store_a):
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a])
    rule = _rule(store=store_a)
    with pytest.raises(PermissionDenied):
        bonus_rule_create(
            store=store_a, minimum_topup=Decimal("10"), bonus=Decimal("1"), actor=manager
        )
    with pytest.raises(PermissionDenied):
        bonus_rule_update(rule=rule, data={"bonus": Decimal("5")}, actor=manager)
    with pytest.raises(PermissionDenied):
        bonus_rule_deactivate(rule=rule, actor=manager)
    rule.refresh_from_db()
    assert (rule.bonus, rule.is_active, BonusRule.objects.count()) == (Decimal("100.00"), True, 1)


def test_service_validation_names_the_field(owner):
    with pytest.raises(ValidationError) as error:
        bonus_rule_create(store=None, minimum_topup=Decimal("0"), bonus=Decimal("0"), actor=owner)
    assert error.value.message_dict == {"minimum_topup": ["Enter a minimum top-up above zero."]}
    assert not BonusRule.objects.exists()


def test_a_store_may_repeat_a_minimum_of_all_stores(owner, store_a):
    _rule()
    rule = bonus_rule_create(
        store=store_a, minimum_topup=Decimal("1000"), bonus=Decimal("120"), actor=owner
    )
    assert BonusRule.objects.filter(is_active=True).count() == 2
    assert rule.store_id == store_a.pk


def test_selector_shows_staff_their_stores_and_all_stores_rules(make_staff, store_a, store_b):
    own, everywhere, _other = _rule(store=store_a), _rule(minimum="2000"), _rule(store=store_b)
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a])
    assert {r.pk for r in bonus_rule_list(user=manager)} == {own.pk, everywhere.pk}
