import datetime

from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory

CREATE = reverse("customers:customer-create")


def test_create_with_every_master_field(client, store_a, sales_a):
    # given a referrer, a household of the store and a tag
    referrer = CustomerFactory(home_store=store_a, phone="+8613900139000")
    household = HouseholdFactory(store=store_a)
    vip = TagFactory(name="VIP")
    client.force_login(sales_a)

    # when the whole form is filled in
    response = client.post(
        CREATE,
        {
            "full_name": "王芳", "phone": "138 0013 8000", "gender": "female",
            "birthday": "1990-05-01", "email": "wang@example.com", "preferred_channel": "wechat",
            "province": "上海", "city": "上海", "district": "黄浦区", "street": "南京东路 1 号",
            "occupation": "教师", "income_band": "10k-20k", "hobbies": "瑜伽, 茶",
            "home_store": store_a.pk, "responsible_staff": sales_a.pk, "source": "referral",
            "referrer": "139 0013 9000", "household": household.pk, "tags": [vip.pk],
            "external_id": "POS-1",
        },
    )  # fmt: skip

    # then every field is saved
    customer = Customer.objects.get(phone="+8613800138000")
    assert response.status_code == 302
    assert (customer.birthday, customer.preferred_channel, customer.district) == (
        datetime.date(1990, 5, 1), "wechat", "黄浦区",
    )  # fmt: skip
    assert (customer.occupation, customer.income_band, customer.hobbies) == (
        "教师",
        "10k-20k",
        "瑜伽, 茶",
    )
    assert (customer.source, customer.referrer_id, customer.household_id) == (
        "referral",
        referrer.pk,
        household.pk,
    )
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]
    assert customer.external_id == "POS-1"
    assert customer.completeness == 100


def test_household_of_another_store_and_unknown_referrer_are_refused(
    client, store_a, store_b, owner
):
    other_household = HouseholdFactory(store=store_b)
    client.force_login(owner)

    response = client.post(
        CREATE,
        {
            "full_name": "Li Lei", "phone": "13800138001", "home_store": store_a.pk,
            "household": other_household.pk, "referrer": "13700000000",
        },
    )  # fmt: skip

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["household", "referrer"]
    assert Customer.objects.count() == 0


def test_edit_form_starts_from_the_current_values_and_refuses_self_referral(
    client, store_a, sales_a
):
    vip = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a, phone="+8613800138000", city="上海", tags=[vip])
    client.force_login(sales_a)
    url = reverse("customers:customer-update", kwargs={"pk": customer.pk})

    form = client.get(url).context["form"]
    response = client.post(
        url, {"full_name": customer.full_name, "phone": customer.phone, "home_store": store_a.pk,
              "referrer": customer.phone},
    )  # fmt: skip

    assert (form.initial["city"], form.initial["tags"]) == ("上海", [vip.pk])
    assert response.status_code == 400
    assert response.context["form"].errors["referrer"] == ["A customer cannot refer themselves."]
    customer.refresh_from_db()
    assert customer.referrer_id is None


def test_quick_search_finds_a_simplified_name_typed_in_traditional(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="陈小明")
    client.force_login(sales_a)

    traditional = client.get(
        reverse("customers:customer-quick-search"), {"q": "陳小明"}, HTTP_HX_REQUEST="true"
    )
    pinyin = client.get(
        reverse("customers:customer-quick-search"), {"q": "chenxiaoming"}, HTTP_HX_REQUEST="true"
    )

    assert [c.pk for c in traditional.context["results"]] == [customer.pk]
    assert [c.pk for c in pinyin.context["results"]] == [customer.pk]
