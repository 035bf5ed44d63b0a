import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Household
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory


def test_list_shows_the_users_households_with_member_counts_and_searches(
    client, store_a, store_b, sales_a, django_assert_num_queries
):
    wang = HouseholdFactory(store=store_a, name="Wang family")
    CustomerFactory.create_batch(2, home_store=store_a, household=wang)
    HouseholdFactory(store=store_a, name="Li family")
    HouseholdFactory(store=store_b, name="Zhao family")
    client.force_login(sales_a)

    # session, user, stores (scope), households, session save in a savepoint (3)
    with django_assert_num_queries(7):
        response = client.get(reverse("customers:household-list"))
    searched = client.get(
        reverse("customers:household-list"), {"q": "wang"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert body.count("data-household=") == 2
    assert "Zhao family" not in body
    assert searched.content.decode().count("data-household=") == 1
    assert "<html" not in searched.content.decode()


def test_create_from_a_customer_page_makes_them_the_first_member(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(sales_a)
    url = reverse("customers:household-create") + f"?customer={customer.pk}"

    form = client.get(url)
    response = client.post(
        url, {"name": "Wang family", "store": store_a.pk, "customer": customer.pk}
    )

    household = Household.objects.get()
    customer.refresh_from_db()
    assert "Wang Fang will be its first member." in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "customers:household-detail", kwargs={"pk": household.pk}
    )
    assert customer.household_id == household.pk


def test_create_with_another_stores_customer_is_not_found(client, store_a, store_b, sales_a):
    theirs = CustomerFactory(home_store=store_b)
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:household-create") + f"?customer={theirs.pk}",
        {"name": "X family", "store": store_a.pk},
    )

    assert response.status_code == 404
    assert Household.objects.count() == 0


def test_create_needs_a_name_and_a_store_of_the_user(client, store_a, store_b, sales_a):
    client.force_login(sales_a)

    response = client.post(reverse("customers:household-create"), {"name": "", "store": store_b.pk})

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["name", "store"]
    assert Household.objects.count() == 0


def test_detail_lists_members_and_says_no_purchases_yet(client, store_a, owner):
    household = HouseholdFactory(store=store_a, name="Wang family")
    CustomerFactory(home_store=store_a, household=household, full_name="Wang Fang")
    client.force_login(owner)

    body = client.get(
        reverse("customers:household-detail", kwargs={"pk": household.pk})
    ).content.decode()

    assert "Wang Fang" in body
    assert "No purchases recorded yet." in body
    assert 'id="history-tab"' in body


def test_add_member_by_phone_and_remove_them(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a, phone="+8613800138000")
    client.force_login(sales_a)

    added = client.post(
        reverse("customers:household-member-add", kwargs={"pk": household.pk}),
        {"customer": "138 0013 8000"},
    )
    customer.refresh_from_db()
    in_household = customer.household_id
    removed = client.post(
        reverse("customers:household-member-remove", kwargs={"pk": household.pk}),
        {"customer": customer.pk},
    )
    customer.refresh_from_db()

    assert (added.status_code, removed.status_code) == (302, 302)
    assert in_household == household.pk
    assert customer.household_id is None


def test_adding_an_unknown_or_unseen_phone_shows_the_error_on_the_field(
    client, store_a, store_b, sales_a
):
    household = HouseholdFactory(store=store_a)
    theirs = CustomerFactory(home_store=store_b, phone="+8613900139000")
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:household-member-add", kwargs={"pk": household.pk}),
        {"customer": theirs.phone},
    )

    theirs.refresh_from_db()
    assert response.status_code == 400
    assert response.context["member_form"].errors == {
        "customer": ["No customer has this phone number."]
    }
    assert theirs.household_id is None


def test_adding_a_member_of_another_household_shows_why(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    other = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a, household=other)
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:household-member-add", kwargs={"pk": household.pk}),
        {"customer": customer.phone},
    )

    customer.refresh_from_db()
    assert response.status_code == 400
    assert "already belongs to another household" in response.content.decode()
    assert customer.household_id == other.pk


def test_rename(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a, name="Wang family")
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:household-update", kwargs={"pk": household.pk}),
        {"name": "Wang-Li family", "notes": ""},
    )

    household.refresh_from_db()
    assert response.status_code == 302
    assert household.name == "Wang-Li family"


@pytest.mark.parametrize(
    ("role", "status", "remaining"),
    [
        pytest.param(Role.STORE_MANAGER, 302, 0, id="manager_dissolves_case"),
        pytest.param(Role.SALES, 403, 1, id="sales_may_not_case"),
    ],
)
def test_dissolve(client, store_a, make_staff, role, status, remaining):
    household = HouseholdFactory(store=store_a)
    member = CustomerFactory(home_store=store_a, household=household)
    client.force_login(make_staff(role=role, stores=[store_a]))
    audits = AuditEvent.objects.filter(action="delete").count()

    response = client.post(reverse("customers:household-delete", kwargs={"pk": household.pk}))

    member.refresh_from_db()
    assert response.status_code == status
    assert Household.objects.count() == remaining
    assert (member.household_id is None) == (remaining == 0)
    assert AuditEvent.objects.filter(action="delete").count() == audits + (1 - remaining)


def test_marketer_cannot_add_members(client, store_a, marketer_a):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a)
    client.force_login(marketer_a)

    response = client.post(
        reverse("customers:household-member-add", kwargs={"pk": household.pk}),
        {"customer": customer.phone},
    )

    customer.refresh_from_db()
    assert response.status_code == 403
    assert customer.household_id is None
