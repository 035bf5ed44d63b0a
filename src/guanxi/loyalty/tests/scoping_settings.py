"""The loyalty settings pages' declarations for the central permission-matrix test: a stored-value
bonus rule belongs to a store (or to every store); the pages are the owner's."""

from decimal import Decimal

from guanxi.loyalty.services import bonus_rule_create

# How the rule's minimum top-up appears on the list page (CN¥98,765.00).
BONUS_RULE_MARKER = "98,765.00"


def make_bonus_rule_of(store):
    return bonus_rule_create(
        store=store, minimum_topup=Decimal("98765.00"), bonus=Decimal("4321.00"), actor=None
    )


def listed_bonus_rule_of(store):
    make_bonus_rule_of(store)
    return BONUS_RULE_MARKER


SCOPED_URLS = {
    "loyalty:bonus-rule-update": make_bonus_rule_of,
    "loyalty:bonus-rule-deactivate": make_bonus_rule_of,
}
LIST_URLS = {
    "loyalty:bonus-rule-list": listed_bonus_rule_of,
}
