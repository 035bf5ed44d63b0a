"""The catalogue API: reads for every role, writes for owners and store managers, one error
shape, no N+1."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.catalog.models import Category, Product, Service
from guanxi.catalog.tests.factories import CategoryFactory, ProductFactory, ServiceFactory
from guanxi.core.permissions import Role


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_every_role_reads_products_without_cost(api, make_staff, store_a, role):
    ProductFactory(sku="R-1", cost=Decimal("10.00"))
    api.force_authenticate(make_staff(role=role, stores=[store_a]))

    response = api.get(reverse("api-catalog-product-list"))

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["sku"] == "R-1"
    assert "cost" not in row
    assert "margin" not in row


def test_manager_sees_cost_and_margin(api, manager_a):
    product = ProductFactory(price=Decimal("50.00"), cost=Decimal("20.00"))
    api.force_authenticate(manager_a)

    response = api.get(reverse("api-catalog-product-detail", kwargs={"pk": product.pk}))

    assert (response.json()["cost"], response.json()["margin"]) == ("20.00", "30.00")


def test_product_search_by_pinyin(api, sales_a):
    ProductFactory(name_en="Fish oil", name_zh_hans="鱼油", sku="FO-1")
    ProductFactory(name_en="Calcium", sku="CA-1")
    api.force_authenticate(sales_a)

    response = api.get(reverse("api-catalog-product-list"), {"search": "yuyou"})

    assert [r["sku"] for r in response.json()["results"]] == ["FO-1"]


def test_manager_creates_a_product(api, manager_a):
    category = CategoryFactory()
    api.force_authenticate(manager_a)

    response = api.post(
        reverse("api-catalog-product-list"),
        {
            "sku": "api-1",
            "barcode": "6901234567892",
            "name_en": "Serum",
            "category": category.pk,
            "price": "199.00",
            "cost": "80.00",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["sku"] == "API-1"
    assert response.json()["margin"] == "119.00"
    assert Product.objects.get().barcode == "6901234567892"


def test_bad_barcode_gives_the_one_error_shape(api, manager_a):
    api.force_authenticate(manager_a)

    response = api.post(
        reverse("api-catalog-product-list"),
        {
            "sku": "X",
            "barcode": "6901234567891",
            "name_en": "X",
            "category": CategoryFactory().pk,
            "price": "1",
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "barcode": ["This barcode's check digit is wrong: check the number on the pack."]
    }
    assert Product.objects.count() == 0


def test_duplicate_sku_gives_a_field_error(api, manager_a):
    ProductFactory(sku="DUP-1")
    api.force_authenticate(manager_a)

    response = api.post(
        reverse("api-catalog-product-list"),
        {"sku": "dup-1", "name_en": "X", "category": CategoryFactory().pk, "price": "1"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["sku"]
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "url_name", "needs_pk"),
    [
        pytest.param("post", "api-catalog-product-list", False, id="product_create_case"),
        pytest.param("patch", "api-catalog-product-detail", True, id="product_update_case"),
        pytest.param("post", "api-catalog-service-list", False, id="service_create_case"),
        pytest.param("post", "api-catalog-category-list", False, id="category_create_case"),
    ],
)
def test_sales_may_not_write(api, sales_a, method, url_name, needs_pk):
    product = ProductFactory(name_en="Kept")
    categories = Category.objects.count()
    api.force_authenticate(sales_a)
    kwargs = {"pk": product.pk} if needs_pk else {}

    response = getattr(api, method)(
        reverse(url_name, kwargs=kwargs), {"name_en": "Changed"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    product.refresh_from_db()
    assert product.name_en == "Kept"
    assert (Product.objects.count(), Service.objects.count()) == (1, 0)
    assert Category.objects.count() == categories


def test_manager_updates_a_service(api, manager_a):
    service = ServiceFactory(duration_minutes=60)
    api.force_authenticate(manager_a)

    response = api.patch(
        reverse("api-catalog-service-detail", kwargs={"pk": service.pk}),
        {"duration_minutes": 90, "is_active": False},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["duration_minutes"], response.json()["is_active"]) == (90, False)


def test_category_create_and_list(api, manager_a):
    parent = Category.objects.get(name_en="Cosmetics", parent=None)
    api.force_authenticate(manager_a)

    created = api.post(
        reverse("api-catalog-category-list"),
        {"name_en": "Perfume", "name_zh_hans": "香水", "parent": parent.pk},
        format="json",
        headers={"Accept-Language": "zh-hans"},
    )
    listed = api.get(reverse("api-catalog-category-list"))

    assert created.status_code == 201
    assert created.json()["parent"] == parent.pk
    assert "Perfume" in [c["name_en"] for c in listed.json()["results"]]


def test_missing_product_is_404_in_the_one_shape(api, sales_a):
    api.force_authenticate(sales_a)

    response = api.get(reverse("api-catalog-product-detail", kwargs={"pk": 999999}))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        pytest.param("api-catalog-product-list", ProductFactory, id="products_case"),
        pytest.param("api-catalog-service-list", ServiceFactory, id="services_case"),
        pytest.param("api-catalog-category-list", CategoryFactory, id="categories_case"),
    ],
)
def test_list_query_count_does_not_grow(
    api, manager_a, django_assert_max_num_queries, url_name, factory
):
    factory.create_batch(2)
    api.force_authenticate(manager_a)
    with django_assert_max_num_queries(10) as few:
        api.get(reverse(url_name))
    factory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(reverse(url_name))
    assert response.status_code == 200
