from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_delete
from guanxi.customers.tests.factories import CustomerFactory


def test_deletes_and_keeps_last_values_in_the_audit_log(store_a, manager_a):
    # given
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    pk = customer.pk

    # when
    customer_delete(customer=customer, actor=manager_a)

    # then
    assert not Customer.objects.filter(pk=pk).exists()
    audit = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (audit.object_type, audit.object_pk, audit.object_repr) == (
        "customers.customer",
        str(pk),
        "Wang Fang",
    )
    assert audit.changes["phone"] == ["+8613800138000", None]
    assert audit.store_id == store_a.pk
