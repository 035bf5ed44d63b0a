"""Owner pages of the points rules, promotions, coupons and gifts; the desk's gift redemption."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.catalog.tests.factories import CategoryFactory
from guanxi.core.models import AuditEvent
from guanxi.core.registry import nav_for
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import (
    CategoryMultiplier,
    Coupon,
    CouponKind,
    Gift,
    GiftRedemption,
    LoyaltySettings,
    Promotion,
)
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    category_multiplier_set,
    coupon_create,
    coupon_use,
    gift_create,
    points_award,
    promotion_create,
)

pytestmark = pytest.mark.django_db

OWNER_PAGES = [
    ("loyalty:earning-rules", {}),
    ("loyalty:earning-rates", {}),
    ("loyalty:category-multiplier-set", {}),
    ("loyalty:promotion-create", {}),
    ("loyalty:coupon-list", {}),
    ("loyalty:coupon-create", {}),
    ("loyalty:gift-list", {}),
    ("loyalty:gift-create", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), OWNER_PAGES)
def test_owner_pages_open_for_the_owner_only(client, owner, sales_a, manager_a, name, kwargs):
    client.force_login(owner)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
    for user in (sales_a, manager_a):
        client.force_login(user)
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_nav_shows_the_pages_to_the_owner(owner, sales_a):
    keys = {item.key for item in nav_for(owner)}
    assert {"loyalty-earning", "loyalty-coupons", "loyalty-gifts"} <= keys
    assert not {"loyalty-earning", "loyalty-coupons", "loyalty-gifts"} & {
        item.key for item in nav_for(sales_a)
    }


def test_rules_page_shows_rates_multipliers_and_promotions(client, owner, store_a):
    cosmetics = CategoryFactory(name_en="Cosmetics Z")
    category_multiplier_set(category=cosmetics, multiplier=Decimal("2"), actor=owner)
    today = timezone.localdate()
    promotion_create(
        name="Double 11 points",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=1),
        multiplier=Decimal("3"),
        store=store_a,
        actor=owner,
    )
    client.force_login(owner)
    response = client.get(reverse("loyalty:earning-rules"))
    body = response.content.decode()
    assert "Cosmetics Z" in body
    assert "× 2" in body
    assert "Double 11 points" in body
    assert "running" in body
    assert "CN¥1.00" in body  # 100 points pay ¥1.00
    upcoming = client.get(reverse("loyalty:earning-rules"), {"when": "past"})
    assert "Double 11 points" not in upcoming.content.decode()


def test_owner_changes_the_rates(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:earning-rates"),
        {"points_per_currency_unit": "2.00", "points_redeem_rate": "50"},
    )
    assert response.status_code == 302
    config = LoyaltySettings.objects.get()
    assert (config.points_per_currency_unit, config.points_redeem_rate) == (Decimal("2.00"), 50)
    assert AuditEvent.objects.filter(object_type="loyalty.loyaltysettings").count() == 1


def test_owner_sets_and_removes_a_category_multiplier(client, owner):
    category = CategoryFactory(name_en="Health Q")
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:category-multiplier-set"),
        {"category": category.pk, "multiplier": "1.5"},
    )
    assert response.status_code == 302
    rule = CategoryMultiplier.objects.get()
    assert (rule.category_id, rule.multiplier) == (category.pk, Decimal("1.50"))
    # the edit link pre-fills the form
    edit = client.get(reverse("loyalty:category-multiplier-set"), {"rule": rule.pk})
    assert edit.context["form"].initial == {"category": category.pk, "multiplier": Decimal("1.50")}
    client.post(reverse("loyalty:category-multiplier-delete", kwargs={"pk": rule.pk}))
    assert CategoryMultiplier.objects.count() == 0


def test_negative_multiplier_is_refused(client, owner):
    category = CategoryFactory(name_en="Health R")
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:category-multiplier-set"), {"category": category.pk, "multiplier": "-1"}
    )
    assert response.status_code == 400
    assert CategoryMultiplier.objects.count() == 0


def test_owner_creates_edits_and_deletes_a_promotion(client, owner, store_a):
    client.force_login(owner)
    data = {
        "name": "Women's Day",
        "starts_on": "2026-03-08",
        "ends_on": "2026-03-08",
        "multiplier": "2",
        "category": "",
        "store": "",
        "is_active": "on",
    }
    assert client.post(reverse("loyalty:promotion-create"), data).status_code == 302
    promotion = Promotion.objects.get()
    assert (promotion.name, promotion.multiplier, promotion.store) == (
        "Women's Day",
        Decimal("2.00"),
        None,
    )
    url = reverse("loyalty:promotion-update", kwargs={"pk": promotion.pk})
    backwards = {**data, "ends_on": "2026-03-07"}
    assert client.post(url, backwards).status_code == 400
    assert Promotion.objects.get().ends_on == datetime.date(2026, 3, 8)
    assert client.post(url, {**data, "store": store_a.pk}).status_code == 302
    assert Promotion.objects.get().store == store_a
    client.post(reverse("loyalty:promotion-delete", kwargs={"pk": promotion.pk}))
    assert Promotion.objects.count() == 0


COUPON_POST = {
    "code": "welcome 20",
    "name": "Welcome",
    "kind": CouponKind.PERCENT,
    "value": "20",
    "minimum_spend": "100.00",
    "valid_from": "2026-01-01",
    "valid_until": "2026-12-31",
    "customer": "",
    "store": "",
    "max_uses": "100",
    "max_uses_per_customer": "1",
    "is_active": "on",
}


def test_owner_creates_a_coupon_and_sees_its_uses(client, owner, store_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:coupon-create"), {**COUPON_POST, "customer": customer.pk}
    )
    coupon = Coupon.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("loyalty:coupon-detail", kwargs={"pk": coupon.pk})
    assert (coupon.code, coupon.customer, coupon.value) == ("WELCOME20", customer, Decimal("20"))
    coupon_use(
        code="WELCOME20",
        customer_id=customer.pk,
        store_id=store_a.pk,
        subtotal=Decimal("150.00"),
        at=datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC),
        reference="ORD-77",
        actor=owner,
    )
    detail = client.get(reverse("loyalty:coupon-detail", kwargs={"pk": coupon.pk}))
    body = detail.content.decode()
    assert "ORD-77" in body
    assert "CN¥30.00" in body
    assert "Wang Fang" in body
    listing = client.get(reverse("loyalty:coupon-list"), {"q": "welc"})
    assert [c.code for c in listing.context["page"]] == ["WELCOME20"]
    assert listing.context["page"][0].use_count == 1


def test_coupon_form_refusals(client, owner):
    client.force_login(owner)
    bad = {**COUPON_POST, "kind": CouponKind.PERCENT, "value": "120", "customer": "999999"}
    response = client.post(reverse("loyalty:coupon-create"), bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["customer"] == ["There is no customer with this ID."]
    assert Coupon.objects.count() == 0
    response = client.post(reverse("loyalty:coupon-create"), {**COUPON_POST, "code": "a-b"})
    assert response.context["form"].errors["code"] == ["Use letters and digits only."]


def test_owner_edits_and_deactivates_a_coupon(client, owner):
    coupon = coupon_create(
        code="X1",
        name="X",
        kind=CouponKind.AMOUNT,
        value=Decimal("5"),
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 1, 31),
        actor=owner,
    )
    client.force_login(owner)
    url = reverse("loyalty:coupon-update", kwargs={"pk": coupon.pk})
    response = client.post(url, {**COUPON_POST, "code": "X1", "name": "Five off"})
    assert response.status_code == 302
    assert Coupon.objects.get().name == "Five off"
    client.post(reverse("loyalty:coupon-deactivate", kwargs={"pk": coupon.pk}))
    assert Coupon.objects.get().is_active is False


def test_owner_creates_and_restocks_a_gift(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("loyalty:gift-create"),
        {
            "name_en": "Silk scarf",
            "name_zh_hans": "真丝围巾",
            "name_zh_hant": "真絲圍巾",
            "points": "2000",
            "stock": "4",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    gift = Gift.objects.get()
    assert (gift.points, gift.stock) == (2000, 4)
    url = reverse("loyalty:gift-restock", kwargs={"pk": gift.pk})
    assert client.post(url, {"quantity": "6"}).status_code == 302
    assert Gift.objects.get().stock == 10
    refused = client.post(url, {"quantity": "-11"})
    assert refused.status_code == 400
    assert "The stock cannot go below zero: 10 left." in refused.content.decode()
    assert Gift.objects.get().stock == 10


def test_desk_redeems_a_gift_from_the_card_page(client, card, sales_a, store_a, owner):
    gift = gift_create(name_en="Hand cream", points=200, stock=2, actor=owner)
    gift_create(name_en="Sold out", points=10, stock=0, actor=owner)
    points_award(card=card, points=500, reason="opening", actor=owner)
    client.force_login(sales_a)
    detail = client.get(reverse("loyalty:card-detail", kwargs={"pk": card.pk}))
    url = reverse("loyalty:card-gift-redeem", kwargs={"pk": card.pk})
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["gift"].queryset) == [gift]
    response = client.post(url, {"gift": gift.pk, "quantity": "2", "store": store_a.pk})
    assert response.status_code == 302
    assert card_balances(card)[AccountKind.POINTS] == 100
    assert Gift.objects.get(pk=gift.pk).stock == 0
    redemption = GiftRedemption.objects.get()
    assert (redemption.staff, redemption.store, redemption.points) == (sales_a, store_a, 400)
    after = client.get(url)
    assert "No gift is in stock." in after.content.decode()
    assert card.number in after.content.decode()
    # and the owner's catalogue shows the stock and the redemption
    client.force_login(owner)
    catalogue = client.get(reverse("loyalty:gift-list")).content.decode()
    assert "out of stock" in catalogue
    assert card.number in catalogue


def test_desk_redemption_without_enough_points_is_refused(client, card, sales_a, store_a, owner):
    gift = gift_create(name_en="Hand cream", points=200, stock=5, actor=owner)
    points_award(card=card, points=100, reason="opening", actor=owner)
    client.force_login(sales_a)
    response = client.post(
        reverse("loyalty:card-gift-redeem", kwargs={"pk": card.pk}),
        {"gift": gift.pk, "quantity": "1", "store": store_a.pk},
    )
    assert response.status_code == 400
    assert "Not enough points: 200 asked, 100 on the card." in response.content.decode()
    assert Gift.objects.get(pk=gift.pk).stock == 5
    assert GiftRedemption.objects.count() == 0


def test_marketer_may_not_redeem(client, card, make_staff, store_a):
    from guanxi.core.permissions import Role

    marketer = make_staff(role=Role.MARKETER, stores=[store_a])
    client.force_login(marketer)
    response = client.get(reverse("loyalty:card-gift-redeem", kwargs={"pk": card.pk}))
    assert response.status_code == 403
