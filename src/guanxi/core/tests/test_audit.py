import pytest
from django.db import DatabaseError, transaction

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.services import model_update


@pytest.mark.django_db
def test_rows_cannot_be_updated(owner):
    event = audit_record(action=AuditAction.EXPORT, actor=owner, message="customers.csv")

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(message="tampered")

    assert AuditEvent.objects.get(pk=event.pk).message == "customers.csv"


@pytest.mark.django_db
def test_rows_cannot_be_deleted(owner):
    event = audit_record(action=AuditAction.EXPORT, actor=owner)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_update_records_changed_fields_from_old_to_new(store_a, owner):
    model_update(instance=store_a, data={"phone": "+862199998888", "name": "Store A"}, actor=owner)

    event = AuditEvent.objects.get(object_type="staff.store", action=AuditAction.UPDATE)
    assert event.changes == {"phone": ["+862112345678", "+862199998888"]}
    assert event.actor == owner
    assert event.object_pk == str(store_a.pk)
    assert event.store_id == store_a.pk


@pytest.mark.django_db
def test_update_without_change_writes_nothing(store_a, owner):
    _store, changed = model_update(instance=store_a, data={"name": "Store A"}, actor=owner)

    assert changed is False
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


@pytest.mark.django_db
def test_password_never_enters_the_log(make_staff, owner):
    staff = make_staff()
    staff.set_password("new secret words")
    model_update(instance=staff, data={}, actor=owner)  # no data: nothing to diff
    model_update(instance=staff, data={"password": "plain-would-leak"}, actor=owner)

    event = AuditEvent.objects.get(object_type="staff.user", action=AuditAction.UPDATE)
    assert event.changes["password"][1] == "••••••"
    assert "plain-would-leak" not in str(event.changes)
