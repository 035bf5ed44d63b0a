from django.urls import reverse

from guanxi.customers.tests.factories import CustomerFactory

AUTOCOMPLETE = reverse("customers:customer-autocomplete")
QUICK = reverse("customers:customer-quick-search")


def test_autocomplete_returns_scoped_matches_as_json(client, store_a, store_b, sales_a):
    wang = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_b, full_name="Wang Lei", phone="+8613900138000")
    client.force_login(sales_a)

    response = client.get(AUTOCOMPLETE, {"q": "wang"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": wang.pk,
                "text": "Wang Fang · +8613800138000",
                "phone": "+8613800138000",
                "store": "Store A",
            }
        ],
        "pagination": {"more": False},
    }


def test_autocomplete_says_when_there_are_more(client, store_a, owner):
    CustomerFactory.create_batch(21, home_store=store_a)
    client.force_login(owner)

    data = client.get(AUTOCOMPLETE).json()

    assert len(data["results"]) == 20
    assert data["pagination"] == {"more": True}


def test_quick_search_by_last_4_digits_as_htmx_dropdown(client, store_a, store_b, sales_a):
    wang = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_a, full_name="Li Lei", phone="+8613900139000")
    CustomerFactory(home_store=store_b, full_name="Zhao Min", phone="+8613700138000")
    client.force_login(sales_a)

    response = client.get(QUICK, {"q": "8000"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count("data-customer=") == 1
    assert reverse("customers:customer-detail", args=[wang.pk]) in body
    assert "Zhao Min" not in body


def test_quick_search_by_whole_phone_and_by_name_without_htmx(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    client.force_login(sales_a)

    by_phone = client.get(QUICK, {"q": "138-0013-8000"})
    by_name = client.get(QUICK, {"q": "fang"})
    nothing = client.get(QUICK, {"q": "zzz"}, HTTP_HX_REQUEST="true")

    assert "<html" in by_phone.content.decode()
    assert "Wang Fang" in by_phone.content.decode()
    assert "Wang Fang" in by_name.content.decode()
    assert "No customer found." in nothing.content.decode()


def test_empty_quick_search_renders_nothing(client, store_a, sales_a):
    CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.get(QUICK, {"q": "  "}, HTTP_HX_REQUEST="true")

    assert response.content.decode().strip() == ""


def test_header_has_the_quick_search_box(client, sales_a):
    client.force_login(sales_a)

    body = client.get(reverse("customers:customer-list")).content.decode()

    assert 'id="header-search-input"' in body
    assert f'hx-get="{QUICK}"' in body
    assert 'data-nav="customers"' in body
