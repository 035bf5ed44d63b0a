"""The owner's "Loyalty settings" page and ``loyalty_settings_update``."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.core.registry import nav_for
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import PointsValidity, SpendingOrder, TierBasis
from guanxi.loyalty.models import SETTINGS_PK, LoyaltySettings
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services import card_issue, loyalty_settings_update
from guanxi.loyalty.services.settings import card_number_example

pytestmark = pytest.mark.django_db

URL = "/loyalty/settings/"

VALID_POST = {
    "card_prefix": "hz",
    "card_sequence_digits": "8",
    "points_validity": PointsValidity.MONTHS,
    "points_validity_months": "18",
    "points_per_currency_unit": "1.5",
    "points_redeem_rate": "50",
    "stored_value_spending_order": SpendingOrder.BONUS_FIRST,
    "referral_reward_points": "300",
}  # the store code box is left unticked


def _settings_values():
    config = LoyaltySettings.objects.get(pk=SETTINGS_PK)
    return (
        config.card_prefix,
        config.card_include_store_code,
        config.card_sequence_digits,
        config.points_validity,
        config.points_validity_months,
        config.points_per_currency_unit,
        config.points_redeem_rate,
        config.stored_value_spending_order,
        config.referral_reward_points,
    )


DEFAULTS = (
    "GX",
    True,
    6,
    PointsValidity.END_OF_FOLLOWING_YEAR,
    24,
    Decimal("1.00"),
    100,
    SpendingOrder.PRINCIPAL_FIRST,
    500,
)


def test_url_is_stable():
    assert reverse("loyalty:settings") == URL


def test_owner_sees_every_section_and_an_example_number(client, owner, store_a):
    loyalty_settings_get()
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Card numbers", "Points", "Stored value", "Referrals"):
        assert f'<legend class="h5">{title}</legend>' in html
    # the default format in the first store's code (a01): GX + A01 + 000123 + check digit 4
    assert '<code class="fs-6">GXA010001234</code>' in html
    for name in VALID_POST:
        assert f'name="{name}"' in html
    assert 'name="card_include_store_code"' in html


def test_owner_saves_the_settings_and_the_change_is_audited(client, owner, store_a):
    loyalty_settings_get()
    client.force_login(owner)
    response = client.post(URL, VALID_POST)
    assert response.status_code == 302
    assert response["Location"] == URL
    assert _settings_values() == (
        "HZ",
        False,
        8,
        PointsValidity.MONTHS,
        18,
        Decimal("1.50"),
        50,
        SpendingOrder.BONUS_FIRST,
        300,
    )
    event = AuditEvent.objects.get(
        object_type="loyalty.loyaltysettings", action=AuditAction.UPDATE, actor=owner
    )
    assert event.changes["card_prefix"] == ["GX", "HZ"]
    assert event.changes["points_redeem_rate"] == [100, 50]
    assert event.changes["referral_reward_points"] == [500, 300]
    # and the page shows the new format, which the next card follows
    assert '<code class="fs-6">HZ000001230</code>' in client.get(URL).content.decode()
    card = card_issue(customer=CustomerFactory(home_store=store_a), actor=owner)
    assert card.number == "HZ000000018"


def test_invalid_input_is_refused_with_translated_messages(client, owner, store_a):
    loyalty_settings_get()
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    audits = AuditEvent.objects.count()
    response = client.post(
        URL,
        {
            **VALID_POST,
            "card_prefix": "G-X",
            "card_sequence_digits": "3",
            "points_redeem_rate": "0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "只能使用大写字母和数字。" in html
    assert "确保该值大于或等于4。" in html
    assert "确保该值大于或等于1。" in html
    assert _settings_values() == DEFAULTS
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.SALES, Role.MARKETER])
def test_other_roles_are_forbidden(client, make_staff, store_a, role):
    loyalty_settings_get()
    client.force_login(make_staff(role=role, stores=[store_a]))
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID_POST).status_code == 403
    assert _settings_values() == DEFAULTS


def test_the_example_follows_the_fields_being_typed(client, owner, store_a):
    client.force_login(owner)
    params = {
        "preview": "card-number",
        "card_prefix": "vip",
        "card_include_store_code": "on",
        "card_sequence_digits": "6",
    }
    response = client.get(URL, params, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert html.startswith('<p class="mb-0" id="card-number-example"')
    assert '<code class="fs-6">VIPA010001231</code>' in html
    bad = client.get(URL, {**params, "card_sequence_digits": "12"}, HTTP_HX_REQUEST="true")
    assert "Correct the card number settings to see an example." in bad.content.decode()
    assert _settings_values() == DEFAULTS


def test_nav_shows_the_pages_to_the_owner_only(owner, make_staff, store_a):
    keys = {item.key for item in nav_for(owner)}
    assert {"loyalty-settings", "loyalty-bonus-rules"} <= keys
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a])
    assert not {"loyalty-settings", "loyalty-bonus-rules"} & {i.key for i in nav_for(manager)}


# --- The service -----------------------------------------------------------------------------------


def test_update_keeps_to_its_fields_and_normalises_the_prefix(owner):
    config = loyalty_settings_update(
        data={"card_prefix": " ab ", "tier_basis": TierBasis.ROLLING_12_MONTHS}, actor=owner
    )
    assert config.card_prefix == "AB"
    assert LoyaltySettings.objects.get(pk=SETTINGS_PK).tier_basis == TierBasis.LIFETIME


def test_update_is_refused_to_a_non_owner(make_staff, store_a):
    loyalty_settings_get()
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a])
    with pytest.raises(PermissionDenied):
        loyalty_settings_update(data={"referral_reward_points": 1}, actor=manager)
    assert _settings_values() == DEFAULTS


def test_update_without_a_change_writes_no_audit_row(owner):
    loyalty_settings_get()
    audits = AuditEvent.objects.count()
    loyalty_settings_update(data={"points_redeem_rate": 100}, actor=owner)
    assert AuditEvent.objects.count() == audits


def test_example_number_without_the_store_code():
    assert (
        card_number_example(prefix="", include_store_code=False, digits=4, store_code="sh-01")
        == "01230"
    )
    assert (
        card_number_example(prefix="GX", include_store_code=True, digits=6, store_code="a01")
        == "GXA010001234"
    )
