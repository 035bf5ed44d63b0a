import datetime

from django.urls import reverse

from guanxi.customers.models import SavedView
from guanxi.customers.tests.factories import CustomerFactory, TagFactory

URL = reverse("customers:customer-list")


def test_filters_and_sort_from_the_query_string(client, store_a, owner):
    vip = TagFactory(name="VIP")
    CustomerFactory(
        home_store=store_a, full_name="Ann May VIP", birthday=datetime.date(1990, 5, 1), tags=[vip]
    )
    CustomerFactory(home_store=store_a, full_name="Bo May", birthday=datetime.date(1990, 5, 2))
    CustomerFactory(
        home_store=store_a, full_name="Cy June VIP", birthday=datetime.date(1990, 6, 2), tags=[vip]
    )
    client.force_login(owner)

    response = client.get(
        URL, {"tag": vip.pk, "birthday_month": 5, "sort": "name"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert [c.full_name for c in response.context["customers"]] == ["Ann May VIP"]
    assert "<html" not in body
    assert 'id="saved-view-form"' in body


def test_invalid_filters_are_ignored(client, store_a, owner):
    CustomerFactory(home_store=store_a)
    client.force_login(owner)

    response = client.get(
        URL, {"completeness_min": "lots", "consent": "carrier-pigeon", "household": "maybe"}
    )

    assert response.status_code == 200
    assert len(response.context["customers"]) == 1


def test_save_a_view_list_it_as_a_chip_and_delete_it(client, store_a, sales_a):
    client.force_login(sales_a)

    saved = client.post(
        reverse("customers:saved-view-create"),
        {"name": "May birthdays", "query": "birthday_month=5&after=xyz"},
    )
    view = SavedView.objects.get()
    listed = client.get(URL, {"birthday_month": 5})
    deleted = client.post(reverse("customers:saved-view-delete", kwargs={"pk": view.pk}))

    assert saved.status_code == 302
    assert saved["Location"].startswith(URL + "?birthday_month=5")
    assert (view.owner_id, view.query) == (sales_a.pk, "birthday_month=5")
    assert f'data-saved-view="{view.pk}"' in listed.content.decode()
    assert "text-bg-primary" in listed.content.decode()  # the view in use is highlighted
    assert deleted.status_code == 302
    assert SavedView.objects.count() == 0


def test_saving_without_filters_says_why(client, sales_a):
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:saved-view-create"), {"name": "All", "query": ""}, follow=True
    )

    assert "Choose some filters before saving a view." in response.content.decode()
    assert SavedView.objects.count() == 0


def test_someone_elses_view_is_not_found(client, store_a, sales_a, manager_a):
    view = SavedView.objects.create(owner=manager_a, name="Theirs", query="birthday_month=5")
    client.force_login(sales_a)

    response = client.post(reverse("customers:saved-view-delete", kwargs={"pk": view.pk}))
    listed = client.get(URL)

    assert response.status_code == 404
    assert SavedView.objects.count() == 1
    assert "Theirs" not in listed.content.decode()


def test_filtered_query_count_does_not_grow_with_rows(
    client, store_a, sales_a, django_assert_num_queries
):
    vip = TagFactory(name="VIP")
    CustomerFactory.create_batch(3, home_store=store_a, responsible_staff=sales_a, tags=[vip])
    client.force_login(sales_a)
    params = {"tag": vip.pk, "store": store_a.pk, "sort": "completeness"}
    # session, user, stores (scope), filter choices (stores, staff, staff's stores, tags),
    # filter validation (store, tag), page, capped count, saved views, savepoint (3)
    with django_assert_num_queries(15):
        client.get(URL, params)

    CustomerFactory.create_batch(30, home_store=store_a, responsible_staff=sales_a, tags=[vip])

    with django_assert_num_queries(15):
        response = client.get(URL, params)
    assert response.content.decode().count("data-customer=") == 25
