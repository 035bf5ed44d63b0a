import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer, Household
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory

LIST = reverse("api-household-list")


def detail(household):
    return reverse("api-household-detail", args=[household.pk])


def members_url(household):
    return reverse("api-household-member-add", args=[household.pk])


def member_url(household, customer):
    return reverse("api-household-member-remove", args=[household.pk, customer.pk])


def test_list_is_scoped_with_member_counts(client, store_a, store_b, sales_a):
    # given
    wang = HouseholdFactory(store=store_a, name="Wang family")
    CustomerFactory.create_batch(2, home_store=store_a, household=wang)
    HouseholdFactory(store=store_b, name="Zhao family")
    client.force_login(sales_a)

    # when
    response = client.get(LIST)

    # then
    data = response.json()
    assert response.status_code == 200
    assert data["count"] == 1
    assert data["results"] == [
        {
            "id": wang.pk,
            "name": "Wang family",
            "store": store_a.pk,
            "store_name": "Store A",
            "notes": "",
            "member_count": 2,
            "created_at": data["results"][0]["created_at"],
            "updated_at": data["results"][0]["updated_at"],
        }
    ]


def test_list_searches_by_household_or_member_name(client, store_a, owner):
    wang = HouseholdFactory(store=store_a, name="Wang family")
    CustomerFactory(home_store=store_a, household=wang, full_name="Li Mei")
    HouseholdFactory(store=store_a, name="Chen family")
    client.force_login(owner)

    by_member = client.get(LIST, {"search": "Mei"}).json()
    by_name = client.get(LIST, {"search": "chen"}).json()

    assert [h["name"] for h in by_member["results"]] == ["Wang family"]
    assert [h["name"] for h in by_name["results"]] == ["Chen family"]


def test_list_query_count_does_not_grow_with_rows(
    client, store_a, sales_a, django_assert_num_queries
):
    for _ in range(2):
        CustomerFactory(home_store=store_a, household=HouseholdFactory(store=store_a))
    client.force_login(sales_a)
    # session, user, user's stores (scope), count, page, session save in a savepoint (3)
    with django_assert_num_queries(8):
        client.get(LIST)

    for _ in range(15):
        CustomerFactory(home_store=store_a, household=HouseholdFactory(store=store_a))

    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert response.json()["count"] == 17


def test_create_with_first_members(client, store_a, sales_a):
    # given
    wang = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    li = CustomerFactory(home_store=store_a, full_name="Li Lei")
    client.force_login(sales_a)

    # when
    response = client.post(
        LIST,
        {"name": " Wang family ", "store": store_a.pk, "members": [wang.pk, li.pk]},
        content_type="application/json",
    )

    # then
    household = Household.objects.get()
    data = response.json()
    assert response.status_code == 201
    assert (data["id"], data["name"], data["member_count"]) == (household.pk, "Wang family", 2)
    assert [m["full_name"] for m in data["members"]] == ["Wang Fang", "Li Lei"]
    assert set(household.members.all()) == {wang, li}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="customers.household"
    ).exists()


@pytest.mark.parametrize(
    ("make_body", "field"),
    [
        pytest.param(lambda o: {"store": o["store_b"].pk}, "store", id="other_store_case"),
        pytest.param(
            lambda o: {"members": [o["customer_b"].pk]}, "members", id="hidden_member_case"
        ),
        pytest.param(lambda o: {"name": ""}, "name", id="blank_name_case"),
    ],
)
def test_create_refuses_what_the_user_may_not_reach(
    client, store_a, store_b, sales_a, make_body, field
):
    objects = {"store_b": store_b, "customer_b": CustomerFactory(home_store=store_b)}
    client.force_login(sales_a)
    body = {"name": "Wang family", "store": store_a.pk, **make_body(objects)}

    response = client.post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Household.objects.count() == 0


def test_create_refuses_a_member_of_another_store_the_user_sees(client, store_a, store_b, owner):
    customer_b = CustomerFactory(home_store=store_b, full_name="Zhao Lei")
    client.force_login(owner)

    response = client.post(
        LIST,
        {"name": "Mixed", "store": store_a.pk, "members": [customer_b.pk]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "members": ["Zhao Lei is a member of another store."]
    }
    assert Household.objects.count() == 0


def test_marketer_may_read_but_not_create(client, store_a, marketer_a):
    HouseholdFactory(store=store_a)
    client.force_login(marketer_a)

    listed = client.get(LIST)
    created = client.post(LIST, {"name": "X", "store": store_a.pk}, content_type="application/json")

    assert listed.status_code == 200
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "permission_denied"
    assert Household.objects.count() == 1


def test_retrieve_lists_members_oldest_first(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a, name="Wang family", notes="Share one card")
    first = CustomerFactory(home_store=store_a, household=household, full_name="Wang Fang")
    second = CustomerFactory(home_store=store_a, household=household, full_name="Wang Lei")
    client.force_login(sales_a)

    response = client.get(detail(household))

    assert response.status_code == 200
    assert response.json()["notes"] == "Share one card"
    assert response.json()["members"] == [
        {"id": first.pk, "full_name": "Wang Fang", "phone": first.phone},
        {"id": second.pk, "full_name": "Wang Lei", "phone": second.phone},
    ]


def test_patch_renames(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a, name="Wang family")
    client.force_login(sales_a)

    response = client.patch(
        detail(household), {"name": "The Wangs"}, content_type="application/json"
    )

    household.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["name"] == household.name == "The Wangs"


def test_delete_dissolves_but_keeps_the_members(client, store_a, manager_a):
    household = HouseholdFactory(store=store_a)
    member = CustomerFactory(home_store=store_a, household=household)
    client.force_login(manager_a)

    response = client.delete(detail(household))

    member.refresh_from_db()
    assert response.status_code == 204
    assert Household.objects.count() == 0
    assert member.household is None


def test_sales_may_not_dissolve(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    member = CustomerFactory(home_store=store_a, household=household)
    client.force_login(sales_a)

    response = client.delete(detail(household))

    member.refresh_from_db()
    assert response.status_code == 403
    assert Household.objects.count() == 1
    assert member.household == household


def test_add_and_remove_a_member(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(sales_a)

    added = client.post(
        members_url(household), {"customer": customer.pk}, content_type="application/json"
    )
    customer.refresh_from_db()
    in_household = customer.household_id
    removed = client.delete(member_url(household, customer))
    customer.refresh_from_db()

    assert added.status_code == 201
    assert [m["id"] for m in added.json()["members"]] == [customer.pk]
    assert in_household == household.pk
    assert removed.status_code == 204
    assert customer.household is None


def test_add_refuses_a_member_of_another_household(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    other = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a, household=other, full_name="Wang Fang")
    client.force_login(sales_a)

    response = client.post(
        members_url(household), {"customer": customer.pk}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["customer"]
    assert customer.household == other


def test_add_refuses_another_stores_customer_as_unknown(client, store_a, store_b, sales_a):
    household = HouseholdFactory(store=store_a)
    customer_b = CustomerFactory(home_store=store_b)
    client.force_login(sales_a)

    response = client.post(
        members_url(household), {"customer": customer_b.pk}, content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["customer"]
    assert Customer.objects.get(pk=customer_b.pk).household is None


def test_remove_of_a_non_member_is_not_found(client, store_a, sales_a):
    household = HouseholdFactory(store=store_a)
    stranger = CustomerFactory(home_store=store_a, household=HouseholdFactory(store=store_a))
    client.force_login(sales_a)

    response = client.delete(member_url(household, stranger))

    stranger.refresh_from_db()
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert stranger.household_id is not None


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_stores_household_is_not_found(client, store_b, manager_a, method):
    household = HouseholdFactory(store=store_b, name="Zhao family")
    client.force_login(manager_a)

    response = getattr(client, method)(detail(household), content_type="application/json")

    assert response.status_code == 404
    assert Household.objects.get().name == "Zhao family"


@pytest.mark.parametrize("role", [Role.MARKETER])
def test_member_changes_need_the_change_capability(client, store_a, make_staff, role):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.post(
        members_url(household), {"customer": customer.pk}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 403
    assert customer.household is None
