import pytest
from django.urls import reverse

from guanxi.core.permissions import Role
from guanxi.customers.models import Tag
from guanxi.customers.tests.factories import CustomerFactory, TagFactory


def test_managers_list_tags_with_the_count_of_their_own_customers(
    client, store_a, store_b, manager_a
):
    vip = TagFactory(name="VIP")
    CustomerFactory(home_store=store_a, tags=[vip])
    CustomerFactory(home_store=store_b, tags=[vip])
    client.force_login(manager_a)

    response = client.get(reverse("customers:tag-list"))

    assert response.status_code == 200
    assert [(t.name, t.customer_count) for t in response.context["tags"]] == [("VIP", 1)]


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_other_roles_may_not_manage_tags(client, store_a, make_staff, role):
    tag = TagFactory(name="VIP")
    client.force_login(make_staff(role=role, stores=[store_a]))

    responses = [
        client.get(reverse("customers:tag-list")),
        client.post(reverse("customers:tag-create"), {"name": "New", "colour": "success"}),
        client.post(
            reverse("customers:tag-update", kwargs={"pk": tag.pk}),
            {"name": "X", "colour": "success"},
        ),
        client.post(reverse("customers:tag-delete", kwargs={"pk": tag.pk})),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert list(Tag.objects.values_list("name", "colour")) == [("VIP", "secondary")]


def test_create_rename_recolour_and_delete(client, owner):
    client.force_login(owner)

    created = client.post(reverse("customers:tag-create"), {"name": "VIP", "colour": "danger"})
    tag = Tag.objects.get()
    updated = client.post(
        reverse("customers:tag-update", kwargs={"pk": tag.pk}),
        {"name": "VIP gold", "colour": "warning"},
    )
    tag.refresh_from_db()
    renamed = (tag.name, tag.colour)
    deleted = client.post(reverse("customers:tag-delete", kwargs={"pk": tag.pk}))

    assert [created.status_code, updated.status_code, deleted.status_code] == [302, 302, 302]
    assert renamed == ("VIP gold", "warning")
    assert Tag.objects.count() == 0


def test_a_duplicate_name_shows_the_error_on_the_field(client, owner):
    TagFactory(name="VIP")
    client.force_login(owner)

    response = client.post(reverse("customers:tag-create"), {"name": "vip", "colour": "danger"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["A tag with this name already exists."]}
    assert Tag.objects.count() == 1


def test_staff_tag_and_untag_a_customer_with_htmx(client, store_a, sales_a):
    vip = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    added = client.post(
        reverse("customers:customer-tag-add", kwargs={"pk": customer.pk}),
        {"tag": vip.pk},
        HTTP_HX_REQUEST="true",
    )
    tags_after_add = list(customer.tags.values_list("name", flat=True))
    removed = client.post(
        reverse("customers:customer-tag-remove", kwargs={"pk": customer.pk}),
        {"tag": vip.pk},
        HTTP_HX_REQUEST="true",
    )

    assert added.status_code == 200
    assert f'data-tag="{vip.pk}"' in added.content.decode()
    assert "<html" not in added.content.decode()
    assert tags_after_add == ["VIP"]
    assert f'data-tag="{vip.pk}"' not in removed.content.decode()
    assert list(customer.tags.all()) == []


def test_tagging_without_htmx_goes_back_to_the_customer(client, store_a, sales_a):
    vip = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:customer-tag-add", kwargs={"pk": customer.pk}), {"tag": vip.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", kwargs={"pk": customer.pk})


@pytest.mark.parametrize("tag", ["", "abc", "999999"])
def test_tagging_needs_an_existing_tag(client, store_a, sales_a, tag):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:customer-tag-add", kwargs={"pk": customer.pk}), {"tag": tag}
    )

    assert response.status_code == 400
    assert list(customer.tags.all()) == []


def test_marketer_cannot_tag(client, store_a, marketer_a):
    vip = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(marketer_a)

    response = client.post(
        reverse("customers:customer-tag-add", kwargs={"pk": customer.pk}), {"tag": vip.pk}
    )

    assert response.status_code == 403
    assert list(customer.tags.all()) == []
