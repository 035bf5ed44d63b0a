import pytest
from django.core.exceptions import ValidationError

from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.models import Customer, Household
from guanxi.customers.services.households import (
    household_create,
    household_dissolve,
    household_member_add,
    household_member_remove,
    household_update,
)
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory


def test_create_with_a_first_member_links_audits_and_scores(store_a, sales_a):
    # given a customer with no household
    wang = CustomerFactory(home_store=store_a, full_name="Wang Fang")

    # when a household is created with her
    household = household_create(name=" Wang family ", store=store_a, members=[wang], actor=sales_a)

    # then she is its member, the change is audited on both and her timeline says so
    wang.refresh_from_db()
    assert household.name == "Wang family"
    assert wang.household_id == household.pk
    assert wang.completeness > 0
    assert (
        AuditEvent.objects.filter(
            object_type="customers.household", object_pk=str(household.pk), action="create"
        ).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            object_type="customers.household", changes__member_added=[None, wang.pk]
        ).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            object_type="customers.customer", object_pk=str(wang.pk), action="update"
        ).count()
        == 1
    )
    assert list(
        TimelineEvent.objects.filter(customer_id=wang.pk).values_list("kind", flat=True)
    ) == ["household_joined"]


def test_create_in_a_store_the_actor_does_not_work_in_is_refused(store_b, sales_a):
    with pytest.raises(ValidationError):
        household_create(name="Li family", store=store_b, actor=sales_a)

    assert Household.objects.count() == 0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(
            "other_household", "already belongs to another household", id="in_another_case"
        ),
        pytest.param("same_household", "already in this household", id="already_member_case"),
        pytest.param("other_store", "member of another store", id="other_store_case"),
    ],
)
def test_a_customer_belongs_to_at_most_one_household_of_their_store(
    store_a, store_b, owner, setup, message
):
    # given a household of store A and a customer who cannot join it
    household = HouseholdFactory(store=store_a)
    if setup == "other_household":
        customer = CustomerFactory(home_store=store_a, household=HouseholdFactory(store=store_a))
    elif setup == "same_household":
        customer = CustomerFactory(home_store=store_a, household=household)
    else:
        customer = CustomerFactory(home_store=store_b)
    before = customer.household_id
    audits = AuditEvent.objects.count()

    # when they are added
    with pytest.raises(ValidationError) as error:
        household_member_add(household=household, customer=customer, actor=owner)

    # then it is refused with a reason, and nothing changed
    assert message in str(error.value)
    customer.refresh_from_db()
    assert customer.household_id == before
    assert AuditEvent.objects.count() == audits


def test_remove_member_unlinks_and_records(store_a, owner):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a, household=household)

    household_member_remove(household=household, customer=customer, actor=owner)

    customer.refresh_from_db()
    assert customer.household_id is None
    assert (
        AuditEvent.objects.filter(
            object_type="customers.household", changes__member_removed=[customer.pk, None]
        ).count()
        == 1
    )
    assert TimelineEvent.objects.get(customer_id=customer.pk).kind == "household_left"


def test_remove_someone_not_in_the_household_is_refused(store_a, owner):
    household = HouseholdFactory(store=store_a)
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(ValidationError):
        household_member_remove(household=household, customer=customer, actor=owner)


def test_rename_is_audited_and_a_no_change_writes_nothing(store_a, owner):
    household = HouseholdFactory(store=store_a, name="Wang family")

    household_update(household=household, data={"name": "Wang-Li family"}, actor=owner)
    audits = AuditEvent.objects.count()
    household_update(household=household, data={"name": "Wang-Li family"}, actor=owner)

    household.refresh_from_db()
    assert household.name == "Wang-Li family"
    assert AuditEvent.objects.count() == audits
    assert (
        AuditEvent.objects.filter(
            object_type="customers.household", changes__name=["Wang family", "Wang-Li family"]
        ).count()
        == 1
    )


def test_update_refuses_the_store(db):
    with pytest.raises(ValueError, match="store"):
        household_update(household=Household(), data={"store": 1}, actor=None)


def test_dissolve_frees_every_member_and_deletes_the_household(store_a, owner):
    household = HouseholdFactory(store=store_a)
    members = CustomerFactory.create_batch(2, home_store=store_a, household=household)

    count = household_dissolve(household=household, actor=owner)

    assert count == 2
    assert Household.objects.count() == 0
    assert (
        Customer.objects.filter(pk__in=[m.pk for m in members], household__isnull=True).count() == 2
    )
    assert (
        AuditEvent.objects.filter(object_type="customers.household", action="delete").count() == 1
    )
