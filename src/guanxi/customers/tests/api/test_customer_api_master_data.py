"""The customers API beyond the basics: every master-data field, tags by id, households and
referrers within the user's scope, and the list page's filters."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.core.models import AuditEvent
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory
from guanxi.staff.tests.factories import StoreFactory

LIST = reverse("api-customer-list")


def detail(customer):
    return reverse("api-customer-detail", args=[customer.pk])


def names(response):
    assert response.status_code == 200, response.content
    return sorted(c["full_name"] for c in response.json()["results"])


def test_create_with_the_full_master_data(client, store_a, sales_a):
    # given
    vip, referral = TagFactory(name="VIP潜力"), TagFactory(name="Referral")
    household = HouseholdFactory(store=store_a, name="Wang family")
    referrer = CustomerFactory(home_store=store_a, full_name="Zhao Min")
    client.force_login(sales_a)
    body = {
        "full_name": "王芳",
        "phone": "13800138000",
        "gender": "female",
        "birthday": "1988-05-04",
        "email": "wang@example.com",
        "province": "上海市",
        "city": "上海",
        "district": "静安区",
        "street": "南京西路 1 号",
        "preferred_channel": "wechat",
        "occupation": "Teacher",
        "income_band": "10k-20k",
        "hobbies": "Yoga",
        "source": "referral",
        "referrer": referrer.pk,
        "home_store": store_a.pk,
        "responsible_staff": sales_a.pk,
        "household": household.pk,
        "tags": [vip.pk, referral.pk],
        "external_id": "POS-0042",
    }

    # when
    response = client.post(LIST, body, content_type="application/json")

    # then
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(phone="+8613800138000")
    data = response.json()
    assert {k: data[k] for k in body} == {
        **body,
        "phone": "+8613800138000",
        "tags": sorted([vip.pk, referral.pk]),
    }
    assert data["completeness"] == 100
    assert customer.completeness == 100
    assert (customer.name_key, customer.phone_last4, customer.birth_month) == ("王芳", "8000", 5)
    assert sorted(customer.tags.values_list("name", flat=True)) == ["Referral", "VIP潜力"]
    assert customer.referrer == referrer
    assert customer.household == household


def test_consent_and_completeness_are_read_only(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(sales_a)

    response = client.patch(
        detail(customer),
        {"consent_sms": True, "completeness": 100, "city": "Shanghai"},
        content_type="application/json",
    )

    customer.refresh_from_db()
    assert response.status_code == 200
    assert (customer.consent_sms, customer.city) == (False, "Shanghai")
    assert customer.completeness == response.json()["completeness"] == 11  # gender, city: 2/18


def test_patch_replaces_tags_and_audits_it(client, store_a, sales_a):
    old, new = TagFactory(name="团购"), TagFactory(name="敏感肌")
    customer = CustomerFactory(home_store=store_a, tags=[old])
    client.force_login(sales_a)

    response = client.patch(detail(customer), {"tags": [new.pk]}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["tags"] == [new.pk]
    assert list(customer.tags.values_list("name", flat=True)) == ["敏感肌"]
    assert AuditEvent.objects.get(object_type="customers.customer").changes == {
        "tags": [[old.pk], [new.pk]]
    }


@pytest.mark.parametrize(
    ("make_payload", "field"),
    [
        pytest.param(lambda o: {"tags": [999999]}, "tags", id="unknown_tag_case"),
        pytest.param(
            lambda o: {"household": o["household_b"].pk},
            "household",
            id="other_store_household_case",
        ),
        pytest.param(
            lambda o: {"household": o["household_a2"].pk},
            "household",
            id="household_of_another_home_store_case",
        ),
        pytest.param(
            lambda o: {"referrer": o["customer_b"].pk},
            "referrer",
            id="referrer_of_another_store_case",
        ),
        pytest.param(lambda o: {"referrer": o["customer"].pk}, "referrer", id="self_referral_case"),
        pytest.param(
            lambda o: {"income_band": "rich"}, "income_band", id="unknown_income_band_case"
        ),
        pytest.param(
            lambda o: {"health_notes": "Asthma"}, "health_notes", id="sensitive_field_case"
        ),
    ],
)
def test_patch_refuses_what_the_user_may_not_link(
    client, store_a, store_b, make_staff, make_payload, field
):
    # given a store manager of store A and store C, and objects of all three stores
    store_c = StoreFactory(name="Store C", code="c01")
    manager = make_staff(role="store_manager", stores=[store_a, store_c])
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    objects = {
        "customer": customer,
        "customer_b": CustomerFactory(home_store=store_b),
        "household_b": HouseholdFactory(store=store_b),
        "household_a2": HouseholdFactory(store=store_c),
    }
    client.force_login(manager)
    before = Customer.objects.values().get(pk=customer.pk)

    # when
    response = client.patch(
        detail(customer), make_payload(objects), content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == [field]
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert customer.tags.count() == 0


def test_create_refuses_sensitive_fields(client, store_a, sales_a):
    client.force_login(sales_a)

    response = client.post(
        LIST,
        {
            "full_name": "Wang Fang",
            "phone": "13800138000",
            "home_store": store_a.pk,
            "skin_type": "dry",
            "skin_concerns": ["acne"],
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["skin_concerns", "skin_type"]
    assert Customer.objects.count() == 0


def test_list_filters_like_the_list_page(client, store_a, store_b, owner, sales_a):
    # given customers that differ in one property each
    vip = TagFactory(name="VIP")
    household = HouseholdFactory(store=store_a)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    CustomerFactory(home_store=store_a, full_name="Tagged", tags=[vip])
    CustomerFactory(home_store=store_b, full_name="Other store")
    CustomerFactory(home_store=store_a, full_name="Old")
    CustomerFactory(home_store=store_a, full_name="Complete", completeness=90)
    CustomerFactory(home_store=store_a, full_name="Referred", source="referral")
    CustomerFactory(home_store=store_a, full_name="Texts", consent_sms=True)
    CustomerFactory(home_store=store_a, full_name="Family", household=household)
    CustomerFactory(home_store=store_a, full_name="Mine", responsible_staff=sales_a)
    CustomerFactory(home_store=store_a, full_name="May", birthday=datetime.date(1990, 5, 1))
    Customer.objects.filter(full_name="Old").update(created_at=long_ago)
    client.force_login(owner)
    today = timezone.localdate()

    def get(**params):
        return names(client.get(LIST, params))

    # when / then
    assert get(tag=vip.pk) == ["Tagged"]
    assert get(store=store_b.pk) == ["Other store"]
    assert get(created_to=(today - datetime.timedelta(days=300)).isoformat()) == ["Old"]
    assert "Old" not in get(created_from=(today - datetime.timedelta(days=30)).isoformat())
    assert get(completeness_min=50) == ["Complete"]
    assert len(get(completeness_max=10)) == 8
    assert get(source="referral") == ["Referred"]
    assert get(consent="sms") == ["Texts"]
    assert get(has_household="true") == ["Family"]
    assert "Family" not in get(has_household="false")
    assert len(get(has_household="false")) == 8
    assert get(responsible_staff=sales_a.pk) == ["Mine"]
    assert get(birthday_month=5) == ["May"]
    assert get(search="Compl") == ["Complete"]


def test_list_sorts_by_name(client, store_a, owner):
    for name in ("Chen", "Adams", "Bai"):
        CustomerFactory(home_store=store_a, full_name=name)
    client.force_login(owner)

    response = client.get(LIST, {"ordering": "name"})

    assert [c["full_name"] for c in response.json()["results"]] == ["Adams", "Bai", "Chen"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"consent": "fax"}, "consent", id="unknown_consent_case"),
        pytest.param({"completeness_min": "101"}, "completeness_min", id="over_100_case"),
        pytest.param(
            {"created_from": "2026-02-01", "created_to": "2026-01-01"},
            "created_to",
            id="reversed_dates_case",
        ),
        pytest.param({"ordering": "phone"}, "ordering", id="unknown_sort_case"),
    ],
)
def test_list_refuses_bad_filters(client, owner, params, field):
    client.force_login(owner)

    response = client.get(LIST, params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
