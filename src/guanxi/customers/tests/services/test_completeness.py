import datetime

import pytest

from guanxi.core.models import AuditEvent
from guanxi.customers.models import Customer
from guanxi.customers.services.completeness import (
    DEFAULT_WEIGHTS,
    completeness_missing,
    completeness_recalculate_all,
    completeness_score,
    completeness_weights_set,
)
from guanxi.customers.services.customer import customer_update
from guanxi.customers.tests.factories import CustomerFactory, TagFactory

TOTAL = sum(DEFAULT_WEIGHTS.values())


@pytest.mark.django_db
def test_score_weights_filled_fields(store_a):
    customer = CustomerFactory(home_store=store_a, gender="female", birthday=None, email="")

    assert completeness_score(customer) == 1 * 100 // TOTAL


@pytest.mark.django_db
def test_update_keeps_the_score_current(store_a, owner):
    customer = CustomerFactory(home_store=store_a, gender="", completeness=0)

    customer = customer_update(
        customer=customer,
        data={"birthday": datetime.date(1990, 5, 4), "email": "a@example.com", "city": "上海"},
        actor=owner,
    )

    customer.refresh_from_db()
    assert customer.completeness == (3 + 1 + 1) * 100 // TOTAL
    assert customer.birth_month == 5


@pytest.mark.django_db
def test_missing_fields_most_valuable_first(store_a):
    customer = CustomerFactory(home_store=store_a, gender="female")

    missing = completeness_missing(customer)

    assert missing[:3] == ["birthday", "preferred_channel", "responsible_staff"]
    assert "gender" not in missing


@pytest.mark.django_db
def test_new_weights_recalculate_everyone_in_sql(store_a, owner):
    tagged = CustomerFactory(home_store=store_a, gender="", tags=[TagFactory(name="VIP")])
    plain = CustomerFactory(home_store=store_a, gender="female")
    weights = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    weights.update({"tags": 1, "gender": 3})

    completeness_weights_set(weights=weights, actor=owner)
    changed = completeness_recalculate_all(batch_size=1)

    assert changed == 2
    assert Customer.objects.get(pk=tagged.pk).completeness == 25
    assert Customer.objects.get(pk=plain.pk).completeness == 75
    event = AuditEvent.objects.get(object_type="customers.completenessweight")
    assert event.changes["gender"] == [1, 3]
    assert "tags" not in event.changes
