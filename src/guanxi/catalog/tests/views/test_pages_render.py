"""Every catalogue page renders for the owner in the three languages, and the menu links it."""

import pytest
from django.urls import reverse

from guanxi.catalog.tests.factories import PriceListItemFactory, ServiceFactory


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_every_page_renders(client, owner, store_a, language):
    # given a product in a price list of store A, and a service
    item = PriceListItemFactory(price_list__store=store_a)
    product, price_list, service = item.product, item.price_list, ServiceFactory()
    client.force_login(owner)
    urls = [
        reverse("catalog:product-list"),
        reverse("catalog:product-create"),
        reverse("catalog:product-detail", args=[product.pk]),
        reverse("catalog:product-update", args=[product.pk]),
        reverse("catalog:service-list"),
        reverse("catalog:service-create"),
        reverse("catalog:service-detail", args=[service.pk]),
        reverse("catalog:service-update", args=[service.pk]),
        reverse("catalog:category-list"),
        reverse("catalog:category-update", args=[product.category.pk]),
        reverse("catalog:brand-list"),
        reverse("catalog:brand-update", args=[product.brand.pk]),
        reverse("catalog:price-list-list"),
        reverse("catalog:price-list-create"),
        reverse("catalog:price-list-detail", args=[price_list.pk]),
        reverse("catalog:price-list-update", args=[price_list.pk]),
    ]

    # when the owner opens each page in the language
    statuses = {
        url: client.get(url, headers={"Accept-Language": language}).status_code for url in urls
    }
    home = client.get(reverse("core:home"), headers={"Accept-Language": language})

    # then every page is there and the menu links the catalogue
    assert statuses == dict.fromkeys(urls, 200)
    assert reverse("catalog:product-list").encode() in home.content
