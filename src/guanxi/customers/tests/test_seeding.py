"""The customers' demo data: what the services would have written, in realistic shares."""

import collections
import datetime

import pytest
from django.db.models import Count

import guanxi.staff.seeding  # noqa: F401 - registers the staff seeder the customers need
from guanxi.core.seeding import seed_run
from guanxi.customers.choices import ConsentPurpose, Source
from guanxi.customers.models import ConsentEvent, Customer, Household, SensitiveProfile, Tag
from guanxi.customers.seeding import AREAS
from guanxi.customers.services.completeness import completeness_score
from guanxi.customers.services.customer import derived_fields

CUSTOMERS = 1500


@pytest.fixture
def seeded(db):
    # batches of 400: referrers and households reach across batches
    seed_run(customers=CUSTOMERS, seed=7, today=datetime.date(2026, 3, 15), batch_size=400)
    return list(
        Customer.objects.select_related("referrer", "home_store")
        .annotate(tag_count=Count("tags"))
        .order_by("pk")
    )


def share(customers, predicate):
    return sum(1 for c in customers if predicate(c)) / len(customers)


def test_derived_keys_and_completeness_are_what_the_services_compute(seeded):
    for customer in seeded:
        assert {k: getattr(customer, k) for k in derived_fields(customer)} == derived_fields(
            customer
        )
        assert customer.completeness == completeness_score(customer, tag_count=customer.tag_count)


def test_completeness_spreads_widely(seeded):
    scores = [c.completeness for c in seeded]

    assert min(scores) <= 20
    assert max(scores) >= 85
    assert len(set(scores)) >= 14  # of the 19 a total weight of 18 allows
    assert 35 <= sum(scores) / len(scores) <= 65


def test_optional_fields_are_filled_in_realistic_shares(seeded):
    assert 0.45 <= share(seeded, lambda c: c.city) <= 0.75
    assert 0.20 <= share(seeded, lambda c: c.street) <= 0.40
    assert 0.30 <= share(seeded, lambda c: c.occupation) <= 0.50
    assert 0.15 <= share(seeded, lambda c: c.income_band) <= 0.35
    assert 0.40 <= share(seeded, lambda c: c.preferred_channel) <= 0.60
    stores = {c.home_store_id: c.home_store.code for c in seeded}
    assert all(c.city == AREAS[stores[c.home_store_id][:2]][1] for c in seeded if c.city)
    assert all(c.province for c in seeded if c.city)
    assert not any(c.street for c in seeded if not c.district)


def test_referrals_name_an_earlier_member_of_the_same_store(seeded):
    referred = [c for c in seeded if c.source == Source.REFERRAL]

    assert 0.03 <= len(referred) / CUSTOMERS <= 0.07
    assert all(c.referrer is not None for c in referred)
    assert all(c.referrer.created_at <= c.created_at for c in referred)
    assert all(c.referrer.home_store_id == c.home_store_id for c in referred)
    assert not any(c.referrer_id for c in seeded if c.source != Source.REFERRAL)
    assert {c.source for c in seeded} == set(Source.values)


def test_households_have_two_to_four_members_of_their_store(seeded):
    households = Household.objects.annotate(size=Count("members"))
    members = [c for c in seeded if c.household_id]

    assert {h.size for h in households} <= {2, 3, 4}
    assert {2, 3} <= {h.size for h in households}
    assert 0.06 <= len(members) / CUSTOMERS <= 0.09
    stores = {h.pk: h.store_id for h in households}
    assert all(stores[c.household_id] == c.home_store_id for c in members)


def test_consent_flags_follow_the_latest_record(seeded):
    latest = {}
    for event in ConsentEvent.objects.order_by("recorded_at", "pk"):
        latest[(event.customer_id, event.purpose)] = event.granted
    for customer in seeded:
        for purpose in ConsentPurpose.values:
            assert customer.has_consent(purpose) == latest.get((customer.pk, purpose), False)
    assert 0.25 <= share(seeded, lambda c: c.consent_sensitive) <= 0.35
    assert 0.35 <= share(seeded, lambda c: c.consent_sms) <= 0.65
    assert not any(c.consent_email for c in seeded if not c.email)
    withdrawals = ConsentEvent.objects.filter(granted=False)
    assert withdrawals.exists()
    assert all(e.recorded_at.date() < datetime.date(2026, 3, 15) for e in withdrawals)


def test_consent_records_carry_source_and_recorder(seeded):
    by_customer = {c.pk: c for c in seeded}
    for event in ConsentEvent.objects.filter(granted=True).select_related("recorded_by"):
        customer = by_customer[event.customer_id]
        assert event.recorded_at >= customer.created_at
        if event.source in ("web", "import"):
            assert event.recorded_by is None
        else:
            assert event.recorded_by_id == customer.responsible_staff_id


def test_skin_and_health_data_only_under_consent(seeded):
    profiles = list(SensitiveProfile.objects.select_related("customer"))

    assert all(p.customer.consent_sensitive for p in profiles)
    assert 0.4 <= len(profiles) / sum(c.consent_sensitive for c in seeded) <= 0.7
    assert any(p.health_notes for p in profiles)
    assert all(1 <= len(p.skin_concerns) <= 3 for p in profiles)


def test_tags_in_chinese_and_english_on_about_a_third(seeded):
    names = set(Tag.objects.values_list("name", flat=True))
    counts = collections.Counter(Customer.tags.through.objects.values_list("tag__name", flat=True))

    assert 8 <= len(names) <= 12
    assert {"VIP潜力", "敏感肌", "团购", "Referral"} <= names
    assert 0.28 <= share(seeded, lambda c: c.tag_count) <= 0.42
    assert counts["老顾客"] > counts["Corporate"]
