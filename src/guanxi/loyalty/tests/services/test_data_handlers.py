"""The loyalty entry in the customer-data registry: export and merge."""

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.data_handlers import loyalty_export, loyalty_merge
from guanxi.loyalty.models import Membership
from guanxi.loyalty.selectors import card_for_customer
from guanxi.loyalty.services import points_award
from guanxi.loyalty.tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_export_lists_the_card_and_the_ledger(card, owner):
    points_award(card=card, points=20, reason="birthday", actor=owner)
    rows = loyalty_export(card.membership.customer_id)
    assert rows[0] == {
        "card": card.number,
        "status": "active",
        "issued_at": card.created_at.isoformat(),
    }
    # only the member's own accounts: the store's counter-account is not their data
    assert [(r["account"], r["amount"], r["memo"]) for r in rows[1:]] == [
        ("points", "20.00", "birthday")
    ]


def test_merge_moves_the_card_to_a_customer_without_one(card, owner, store_a):
    source = card.membership.customer
    target = CustomerFactory(home_store=store_a)
    assert loyalty_merge(source.pk, target.pk, owner) == 1
    assert card_for_customer(target) == card
    assert Membership.objects.get().customer == target


def test_merge_of_two_card_holders_is_refused(card, owner, store_a):
    other = make_card(store_a, actor=owner)
    with pytest.raises(ApplicationError) as error:
        loyalty_merge(card.membership.customer_id, other.membership.customer_id, owner)
    assert error.value.code == "both_have_cards"
    assert Membership.objects.get(pk=card.membership_id).customer_id == card.membership.customer_id
