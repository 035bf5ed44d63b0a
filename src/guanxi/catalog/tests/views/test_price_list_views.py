"""Price list pages: create for one's own stores, add and remove prices with htmx."""

from django.urls import reverse

from guanxi.catalog.models import PriceList, PriceListItem
from guanxi.catalog.tests.factories import PriceListFactory, ProductFactory


def test_store_choices_are_the_managers_stores(client, manager_a, store_a, store_b):
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:price-list-create"), {"store": store_b.pk, "name": "Sneaky"}
    )

    assert response.status_code == 400
    assert PriceList.objects.count() == 0


def test_manager_creates_a_price_list(client, manager_a, store_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:price-list-create"),
        {"store": store_a.pk, "name": "Members", "is_active": "on"},
    )

    price_list = PriceList.objects.get()
    assert response.status_code == 302
    assert (price_list.store, price_list.name) == (store_a, "Members")


def test_add_price_with_htmx_returns_the_items_partial(client, manager_a, store_a):
    price_list = PriceListFactory(store=store_a)
    product = ProductFactory(sku="PL-1", barcode="6901234567892")
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:price-list-item-add", kwargs={"pk": price_list.pk}),
        {"product": "6901234567892", "price": "59.90"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"PL-1" in response.content
    item = PriceListItem.objects.get()
    assert (item.product, str(item.price)) == (product, "59.90")


def test_unknown_product_code_is_an_error_in_the_partial(client, manager_a, store_a):
    price_list = PriceListFactory(store=store_a)
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:price-list-item-add", kwargs={"pk": price_list.pk}),
        {"product": "NOPE", "price": "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200  # htmx swaps only successful responses
    assert b"No product has this SKU or barcode." in response.content
    assert PriceListItem.objects.count() == 0


def test_sales_cannot_open_their_stores_price_list(client, sales_a, store_a):
    price_list = PriceListFactory(store=store_a, name="Kept")
    client.force_login(sales_a)

    detail = client.get(reverse("catalog:price-list-detail", kwargs={"pk": price_list.pk}))
    update = client.post(
        reverse("catalog:price-list-update", kwargs={"pk": price_list.pk}), {"name": "Changed"}
    )

    assert (detail.status_code, update.status_code) == (403, 403)
    price_list.refresh_from_db()
    assert price_list.name == "Kept"
