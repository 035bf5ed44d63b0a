"""Catalogue pages: lists with htmx search, detail with History, create/update, permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.catalog.models import Product
from guanxi.catalog.tests.factories import CategoryFactory, ProductFactory, ServiceFactory
from guanxi.core.models import AuditEvent


def test_product_list_full_page_and_htmx_partial(client, sales_a):
    ProductFactory(name_en="Vitamin C", name_zh_hans="维生素C", sku="SW-VC")
    ProductFactory(name_en="Fish oil", sku="SW-FO")
    client.force_login(sales_a)
    url = reverse("catalog:product-list")

    page = client.get(url)
    partial = client.get(url, {"q": "weisheng"}, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert b"<html" in page.content
    assert b"SW-FO" in page.content
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b"SW-VC" in partial.content
    assert b"SW-FO" not in partial.content


def test_product_list_query_count_does_not_grow(client, owner, django_assert_max_num_queries):
    ProductFactory.create_batch(3)
    client.force_login(owner)
    url = reverse("catalog:product-list")
    client.get(url)  # warm caches (session, organisation)
    with django_assert_max_num_queries(12) as few:
        client.get(url, headers={"HX-Request": "true"})
    ProductFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, headers={"HX-Request": "true"})


def test_product_detail_shows_margin_to_managers_only(client, manager_a, sales_a):
    product = ProductFactory(price=Decimal("200.00"), cost=Decimal("80.00"))
    url = reverse("catalog:product-detail", kwargs={"pk": product.pk})

    client.force_login(manager_a)
    manager_page = client.get(url)
    client.force_login(sales_a)
    sales_page = client.get(url)

    assert b'id="product-margin"' in manager_page.content
    assert b"(60.0%)" in manager_page.content
    assert b"history-tab" in manager_page.content
    assert b'id="product-margin"' not in sales_page.content
    assert b"history-tab" not in sales_page.content


def test_manager_creates_a_product(client, manager_a):
    category = CategoryFactory()
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:product-create"),
        {
            "sku": "new-1",
            "barcode": "6901234567892",
            "name_en": "Night cream",
            "category": category.pk,
            "price": "99.00",
            "is_active": "on",
        },
    )

    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product-detail", kwargs={"pk": product.pk})
    assert (product.sku, product.is_active) == ("NEW-1", True)


def test_wrong_barcode_shows_error_next_to_the_field(client, manager_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:product-create"),
        {
            "sku": "X",
            "barcode": "6901234567891",
            "name_en": "X",
            "category": CategoryFactory().pk,
            "price": "1",
        },
    )

    assert response.status_code == 400
    assert "This barcode&#x27;s check digit is wrong" in response.content.decode()
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("url_name", "needs_pk"),
    [
        pytest.param("catalog:product-create", False, id="product_create_case"),
        pytest.param("catalog:product-update", True, id="product_update_case"),
        pytest.param("catalog:service-create", False, id="service_create_case"),
        pytest.param("catalog:category-create", False, id="category_create_case"),
        pytest.param("catalog:brand-create", False, id="brand_create_case"),
        pytest.param("catalog:price-list-create", False, id="price_list_create_case"),
    ],
)
def test_sales_may_not_manage_the_catalogue(client, sales_a, url_name, needs_pk):
    product = ProductFactory(name_en="Unchanged")
    kwargs = {"pk": product.pk} if needs_pk else {}
    client.force_login(sales_a)
    writes = AuditEvent.objects.filter(action__in=["create", "update"]).count()

    response = client.post(reverse(url_name, kwargs=kwargs), {"name_en": "Changed", "name": "x"})

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name_en == "Unchanged"
    assert AuditEvent.objects.filter(action__in=["create", "update"]).count() == writes


def test_sales_may_not_deactivate_a_product(client, sales_a):
    product = ProductFactory()
    client.force_login(sales_a)

    response = client.post(reverse("catalog:product-deactivate", kwargs={"pk": product.pk}))

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.is_active is True


def test_manager_deactivates_a_service(client, manager_a):
    service = ServiceFactory()
    client.force_login(manager_a)

    response = client.post(reverse("catalog:service-deactivate", kwargs={"pk": service.pk}))

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.is_active is False


def test_service_list_htmx_partial(client, sales_a):
    ServiceFactory(name_en="Scalp care", name_zh_hans="头皮护理")
    ServiceFactory(name_en="Foot massage")
    client.force_login(sales_a)

    response = client.get(
        reverse("catalog:service-list"), {"q": "toupi"}, headers={"HX-Request": "true"}
    )

    assert b"<html" not in response.content
    assert b"Scalp care" in response.content
    assert b"Foot massage" not in response.content


def test_category_tree_lists_children_under_parents(client, sales_a):
    client.force_login(sales_a)

    response = client.get(reverse("catalog:category-list"))

    content = response.content.decode()
    assert content.index("Cosmetics") < content.index("— Make-up") < content.index("Daily use")
    assert 'action="/catalogue/categories/create/"' not in content


def test_manager_renames_a_category(client, manager_a):
    category = CategoryFactory(name_en="Old")
    client.force_login(manager_a)

    response = client.post(
        reverse("catalog:category-update", kwargs={"pk": category.pk}),
        {"name_en": "New", "name_zh_hans": "新", "name_zh_hant": "新", "parent": ""},
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_en == "New"


def test_product_history_is_readable(client, manager_a):
    product = ProductFactory()
    AuditEvent.objects.create(
        action="update",
        object_type="catalog.product",
        object_pk=str(product.pk),
        changes={"price": ["1.00", "2.00"]},
    )
    client.force_login(manager_a)

    response = client.get(
        reverse("core:object-history", kwargs={"object_type": "catalog.product", "pk": product.pk}),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"2.00" in response.content
