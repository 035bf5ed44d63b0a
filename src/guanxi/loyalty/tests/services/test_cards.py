"""Member cards: numbering, issue, state changes and replacement."""

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.models import LedgerAccount, MemberCard
from guanxi.loyalty.selectors import (
    card_balances,
    card_for_customer,
    card_history,
    loyalty_settings_get,
)
from guanxi.loyalty.services import (
    card_freeze,
    card_issue,
    card_replace,
    card_report_lost,
    card_unfreeze,
    points_award,
    points_redeem,
    stored_value_topup,
)
from guanxi.loyalty.services.cards import card_number_is_valid, luhn_check_digit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "digit", "_case"),
    [
        ("7992739871", "3", "classic_luhn_example"),
        ("GXA01000001", luhn_check_digit("GXA01000001"), "letters"),
    ],
)
def test_luhn_check_digit(body, digit, _case):
    assert luhn_check_digit(body) == digit
    assert card_number_is_valid(body + digit)


def test_check_digit_catches_a_mistyped_digit_and_a_swap():
    number = "GXA01000123" + luhn_check_digit("GXA01000123")
    assert not card_number_is_valid(number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1])
    assert not card_number_is_valid("GXA01000213" + number[-1])


def test_issue_numbers_cards_per_store_from_the_settings(store_a, owner):
    # given settings with another prefix and four digits
    config = loyalty_settings_get()
    config.card_prefix, config.card_sequence_digits = "VIP", 4
    config.save()
    # when two customers join
    first = card_issue(customer=CustomerFactory(home_store=store_a), actor=owner)
    second = card_issue(customer=CustomerFactory(home_store=store_a), actor=owner)
    # then the numbers follow the format, with their check digits
    assert first.number == "VIPA010001" + luhn_check_digit("VIPA010001")
    assert second.number == "VIPA010002" + luhn_check_digit("VIPA010002")
    assert first.status == CardStatus.ACTIVE
    assert (
        AuditEvent.objects.filter(object_type="loyalty.membercard", object_pk=str(first.pk)).count()
        == 1
    )


def test_issue_opens_the_three_accounts_at_zero(card):
    kinds = set(
        LedgerAccount.objects.filter(membership=card.membership).values_list("kind", "balance")
    )
    assert kinds == {
        (AccountKind.POINTS, 0),
        (AccountKind.STORED_VALUE_PRINCIPAL, 0),
        (AccountKind.STORED_VALUE_BONUS, 0),
    }


def test_household_shares_one_card(store_a, owner):
    # given a household of two
    household = HouseholdFactory(store=store_a)
    mother = CustomerFactory(home_store=store_a, household=household)
    daughter = CustomerFactory(home_store=store_a, household=household)
    card = card_issue(customer=mother, actor=owner)
    # when the daughter joins too, then she is refused and shares the mother's card
    with pytest.raises(ApplicationError) as error:
        card_issue(customer=daughter, actor=owner)
    assert error.value.code == "card_exists"
    assert card_for_customer(daughter) == card
    assert MemberCard.objects.count() == 1


def test_customer_without_card_has_none(store_a):
    assert card_for_customer(CustomerFactory(home_store=store_a)) is None


def test_frozen_card_cannot_be_used_until_unfrozen(card, owner):
    points_award(card=card, points=100, reason="join", actor=owner)
    card_freeze(card=card, actor=owner)
    with pytest.raises(ApplicationError) as error:
        points_redeem(card=card, points=10, actor=owner)
    assert error.value.code == "card_not_active"
    assert card_balances(card)[AccountKind.POINTS] == 100
    card_unfreeze(card=card, actor=owner)
    points_redeem(card=card, points=10, actor=owner)
    assert card_balances(card)[AccountKind.POINTS] == 90


def test_unfreeze_of_an_active_card_is_refused(card, owner):
    with pytest.raises(ApplicationError) as error:
        card_unfreeze(card=card, actor=owner)
    assert error.value.code == "card_status"
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_replacement_takes_over_every_balance_and_keeps_the_history(card, owner):
    # given a card with points and stored value, reported lost
    points_award(card=card, points=300, reason="purchase", actor=owner)
    stored_value_topup(card=card, amount="500.00", payment="cash", actor=owner)
    card_report_lost(card=card, actor=owner)
    # when it is replaced
    new = card_replace(card=card, actor=owner)
    # then the new card has every balance, the old one points to it and is refused
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED
    assert card.replaced_by == new
    assert new.number != card.number
    assert card_balances(new) == {
        AccountKind.POINTS: 300,
        AccountKind.STORED_VALUE_PRINCIPAL: 500,
        AccountKind.STORED_VALUE_BONUS: 0,
    }
    assert list(card_history(new)) == [new, card]
    assert card_for_customer(card.membership.customer) == new
    with pytest.raises(ApplicationError):
        points_redeem(card=card, points=1, actor=owner)
    with pytest.raises(ApplicationError) as error:
        card_replace(card=card, actor=owner)
    assert error.value.code == "card_status"
