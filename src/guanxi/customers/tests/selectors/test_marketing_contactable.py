import pytest
from django.utils import timezone

from guanxi.customers.models import ContactSuppression
from guanxi.customers.selectors.consent import contact_hash, marketing_contactable
from guanxi.customers.tests.factories import CustomerFactory


def test_only_consenting_customers_that_are_not_erased_or_suppressed(store_a, store_b):
    # given
    yes = CustomerFactory(home_store=store_a, consent_sms=True)
    CustomerFactory(home_store=store_a, consent_sms=False)
    CustomerFactory(home_store=store_a, consent_sms=True, erased_at=timezone.now())
    # an erased person's number, registered again afterwards (a number is unique: it can only
    # come back after the erasure)
    ContactSuppression.objects.create(phone_hash=contact_hash("+8613700137000"), reason="erased")
    CustomerFactory(home_store=store_a, consent_sms=True, phone="+8613700137000")
    other_store = CustomerFactory(home_store=store_b, consent_sms=True)

    # when / then
    assert list(marketing_contactable(channel="sms")) == [yes, other_store]
    assert list(marketing_contactable(channel="email")) == []


def test_scoped_to_the_users_stores(store_a, store_b, manager_a):
    mine = CustomerFactory(home_store=store_a, consent_wechat=True)
    CustomerFactory(home_store=store_b, consent_wechat=True)

    assert list(marketing_contactable(channel="wechat", user=manager_a)) == [mine]


def test_sensitive_data_is_not_a_channel():
    with pytest.raises(ValueError, match="Unknown channel"):
        marketing_contactable(channel="sensitive")
