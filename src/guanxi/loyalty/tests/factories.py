"""Factories of the loyalty tests: cards are issued through the service, as in the shop."""

from __future__ import annotations

from typing import Any

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import MemberCard
from guanxi.loyalty.services import card_issue


def make_card(store: Any, *, actor: Any = None, **customer_fields: Any) -> MemberCard:
    """A customer of ``store`` with a freshly issued member card."""
    customer = CustomerFactory(home_store=store, **customer_fields)
    return card_issue(customer=customer, actor=actor)
