import datetime

from django.urls import reverse

from guanxi.customers.tests.factories import CustomerFactory

URL = reverse("customers:customer-list")


def test_full_page_lists_the_stores_customers(client, store_a, store_b, sales_a):
    # given
    mine = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_b, full_name="Zhao Lei")
    client.force_login(sales_a)

    # when
    response = client.get(URL)

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert 'id="customer-filters"' in body
    assert reverse("customers:customer-detail", args=[mine.pk]) in body
    assert "+8613800138000" in body
    assert "Zhao Lei" not in body
    assert reverse("customers:customer-create") in body
    assert reverse("customers:customer-export") not in body  # sales may not export


def test_htmx_request_gets_only_the_rows(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_a, full_name="Li Lei", phone="+8613900139000")
    client.force_login(sales_a)

    response = client.get(URL, {"q": "8000"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="customer-filters"' not in body
    assert "Wang Fang" in body
    assert "Li Lei" not in body
    assert "1 customer" in body


def test_filters_by_birthday_month_and_store(client, store_a, store_b, owner):
    CustomerFactory(home_store=store_a, full_name="A May", birthday=datetime.date(1990, 5, 3))
    CustomerFactory(home_store=store_b, full_name="B May", birthday=datetime.date(1990, 5, 4))
    CustomerFactory(home_store=store_a, full_name="A June", birthday=datetime.date(1990, 6, 3))
    client.force_login(owner)

    response = client.get(URL, {"birthday_month": "5", "store": store_a.pk})

    body = response.content.decode()
    assert "A May" in body
    assert "B May" not in body
    assert "A June" not in body


def test_another_stores_id_as_filter_is_ignored_not_leaked(client, store_a, store_b, sales_a):
    CustomerFactory(home_store=store_a, full_name="Wang Fang")
    CustomerFactory(home_store=store_b, full_name="Zhao Lei")
    client.force_login(sales_a)

    response = client.get(URL, {"store": store_b.pk})

    body = response.content.decode()
    assert "Wang Fang" in body
    assert "Zhao Lei" not in body
    assert "Store B" not in body


def test_paginates_25_a_page_by_cursor(client, store_a, owner):
    CustomerFactory.create_batch(27, home_store=store_a)
    client.force_login(owner)

    first = client.get(URL)
    cursor = first.context["page"].next_cursor
    second = client.get(URL, {"after": cursor}, HTTP_HX_REQUEST="true")

    assert first.content.decode().count("data-customer=") == 25
    assert 'rel="next"' in first.content.decode()
    assert "27 customers" in first.content.decode()
    assert second.content.decode().count("data-customer=") == 2
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()


def test_query_count_does_not_grow_with_rows(client, store_a, sales_a, django_assert_num_queries):
    # given
    CustomerFactory.create_batch(3, home_store=store_a, responsible_staff=sales_a)
    client.force_login(sales_a)
    # session, user, user's stores (scope), filter choices (stores, staff, staff's stores,
    # tags), page, capped count, saved views, session save in a savepoint (3)
    with django_assert_num_queries(13):
        client.get(URL)

    # when there are many more rows
    CustomerFactory.create_batch(20, home_store=store_a, responsible_staff=sales_a)

    # then the same number of queries
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert response.content.decode().count("data-customer=") == 23


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
