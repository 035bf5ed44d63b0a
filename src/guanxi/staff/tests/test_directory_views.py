import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.staff.models import Organisation, Store, User
from guanxi.staff.selectors import organisation_get
from guanxi.staff.tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
STRONG_PASSWORD = "plum blossom 2024 tea"


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(
        role=Role.STORE_MANAGER, stores=[store_a], username="manager_a", full_name="Chen Jie"
    )


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a", full_name="Li Na")


@pytest.fixture
def sales_b(make_staff, store_b):
    return make_staff(role=Role.SALES, stores=[store_b], username="sales_b", full_name="Wang Fang")


def signed_in(client, user):
    client.force_login(user)
    return client


def denied_rows():
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def assert_queries_do_not_grow(client, url, add_rows, django_assert_num_queries, **extra):
    """The page costs as many queries with many rows as with a few (no N+1)."""
    client.get(url, **extra)  # warm up: session, organisation row
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **extra).status_code == 200
    add_rows()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url, **extra).status_code == 200


# --- Stores ---------------------------------------------------------------------------------------


def test_store_list_shows_the_stores_the_user_may_see(client, sales_a, store_a, store_b):
    response = signed_in(client, sales_a).get(reverse("staff:store-list"))

    assert response.status_code == 200
    assert [s.pk for s in response.context["page_obj"]] == [store_a.pk]
    assert "Store B" not in response.content.decode()
    assert 'data-nav="stores"' in response.content.decode()
    assert 'data-nav="staff"' not in response.content.decode()
    assert reverse("staff:store-create") not in response.content.decode()


def test_store_list_for_owners_links_to_create_and_organisation(client, owner, store_a):
    content = signed_in(client, owner).get(reverse("staff:store-list")).content.decode()

    assert reverse("staff:store-create") in content
    assert reverse("staff:organisation-update") in content


def test_store_list_htmx_search_returns_only_the_table(client, owner, store_a, store_b):
    response = signed_in(client, owner).get(reverse("staff:store-list"), {"q": "b01"}, **HX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'data-store="{store_b.pk}"' in content
    assert f'data-store="{store_a.pk}"' not in content


def test_store_list_queries_do_not_grow_with_rows(
    client, owner, store_a, make_staff, django_assert_num_queries
):
    make_staff(stores=[store_a])

    def add_rows():
        for _ in range(5):
            store = StoreFactory()
            make_staff(stores=[store])

    signed_in(client, owner)
    assert_queries_do_not_grow(
        client, reverse("staff:store-list"), add_rows, django_assert_num_queries
    )


def test_store_detail_shows_address_hours_staff_and_history(client, manager_a, sales_a, store_a):
    response = signed_in(client, manager_a).get(reverse("staff:store-detail", args=[store_a.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "1 Nanjing Road, Shanghai" in content
    assert "Mon–Sun 10:00–21:00" in content
    assert f'data-staff="{sales_a.pk}"' in content
    history_url = reverse("core:object-history", args=["staff.store", store_a.pk])
    assert f'hx-get="{history_url}" hx-trigger="load"' in content
    assert reverse("staff:store-update", args=[store_a.pk]) not in content


def test_store_detail_hides_staff_and_history_from_sales(client, sales_a, manager_a, store_a):
    content = (
        signed_in(client, sales_a)
        .get(reverse("staff:store-detail", args=[store_a.pk]))
        .content.decode()
    )

    assert f'data-staff="{manager_a.pk}"' not in content
    assert "core:object-history" not in content
    assert "/history/" not in content


def test_store_detail_of_another_store_is_not_found(client, sales_a, store_b):
    response = signed_in(client, sales_a).get(reverse("staff:store-detail", args=[store_b.pk]))

    assert response.status_code == 404


def test_store_create(client, owner):
    response = signed_in(client, owner).post(
        reverse("staff:store-create"),
        {
            "name": "Jing'an",
            "code": "sh02",
            "address": "88 Huashan Road",
            "phone": "+862162223333",
            "opening_hours": "10:00–22:00",
        },
    )

    store = Store.objects.get(code="sh02")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:store-detail", args=[store.pk])
    assert (store.name, store.address, store.phone, store.opening_hours) == (
        "Jing'an",
        "88 Huashan Road",
        "+862162223333",
        "10:00–22:00",
    )


def test_store_create_shows_errors_next_to_the_field(client, owner, store_a):
    response = signed_in(client, owner).post(
        reverse("staff:store-create"), {"name": "Other", "code": "a01"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"code": ["Store with this Code already exists."]}
    assert Store.objects.count() == 1


def test_store_create_is_forbidden_to_store_managers(client, manager_a):
    before = denied_rows()

    response = signed_in(client, manager_a).post(
        reverse("staff:store-create"), {"name": "Pudong", "code": "sh03"}
    )

    assert response.status_code == 403
    assert not Store.objects.filter(code="sh03").exists()
    assert denied_rows() == before + 1


def test_store_update(client, owner, store_a):
    url = reverse("staff:store-update", args=[store_a.pk])
    form = signed_in(client, owner).get(url).context["form"]
    assert form.initial["address"] == "1 Nanjing Road, Shanghai"

    response = client.post(
        url,
        {
            "name": "Store A",
            "code": "a01",
            "address": "2 Nanjing Road",
            "phone": "",
            "opening_hours": "",
        },
    )

    store_a.refresh_from_db()
    assert response.status_code == 302
    assert (store_a.address, store_a.phone, store_a.opening_hours) == ("2 Nanjing Road", "", "")


def test_store_deactivate_asks_then_deactivates(client, owner, store_a):
    url = reverse("staff:store-deactivate", args=[store_a.pk])

    confirm = signed_in(client, owner).get(url)
    store_a.refresh_from_db()
    assert confirm.status_code == 200
    assert store_a.is_active is True

    response = client.post(url)
    store_a.refresh_from_db()
    assert response.status_code == 302
    assert store_a.is_active is False

    client.post(reverse("staff:store-activate", args=[store_a.pk]))
    store_a.refresh_from_db()
    assert store_a.is_active is True


def test_store_deactivate_is_forbidden_to_store_managers(client, manager_a, store_a):
    response = signed_in(client, manager_a).post(
        reverse("staff:store-deactivate", args=[store_a.pk])
    )

    store_a.refresh_from_db()
    assert response.status_code == 403
    assert store_a.is_active is True


# --- Staff ----------------------------------------------------------------------------------------


def test_staff_list_of_a_store_manager_shows_only_their_store(client, manager_a, sales_a, sales_b):
    response = signed_in(client, manager_a).get(reverse("staff:staff-list"))

    assert response.status_code == 200
    assert [u.username for u in response.context["page_obj"]] == ["manager_a", "sales_a"]
    assert "Wang Fang" not in response.content.decode()
    assert reverse("staff:staff-create") not in response.content.decode()


def test_staff_list_htmx_filter_returns_only_the_rows(client, owner, manager_a, sales_a, sales_b):
    response = signed_in(client, owner).get(
        reverse("staff:staff-list"), {"role": Role.SALES, "q": "wang"}, **HX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert [u.username for u in response.context["page_obj"]] == ["sales_b"]
    assert f'data-staff="{sales_b.pk}"' in content


def test_staff_list_shows_active_staff_unless_asked(client, owner, sales_a, make_staff, store_a):
    gone = make_staff(stores=[store_a], username="gone", is_active=False)
    signed_in(client, owner)

    default = client.get(reverse("staff:staff-list"), **HX).context["page_obj"]
    inactive = client.get(reverse("staff:staff-list"), {"status": "inactive"}, **HX)

    assert gone not in list(default)
    assert list(inactive.context["page_obj"]) == [gone]


def test_staff_list_is_forbidden_to_sales(client, sales_a):
    before = denied_rows()

    response = signed_in(client, sales_a).get(reverse("staff:staff-list"))

    assert response.status_code == 403
    assert denied_rows() == before + 1


def test_staff_list_queries_do_not_grow_with_rows(
    client, owner, store_a, store_b, make_staff, django_assert_num_queries
):
    make_staff(stores=[store_a])

    def add_rows():
        for _ in range(5):
            make_staff(stores=[store_a, store_b])

    signed_in(client, owner)
    assert_queries_do_not_grow(
        client, reverse("staff:staff-list"), add_rows, django_assert_num_queries, **HX
    )


def test_staff_detail(client, manager_a, sales_a, store_a):
    response = signed_in(client, manager_a).get(reverse("staff:staff-detail", args=[sales_a.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Li Na" in content
    assert "Never" in content  # last sign-in
    assert reverse("staff:store-detail", args=[store_a.pk]) in content
    history_url = reverse("core:object-history", args=["staff.user", sales_a.pk])
    assert f'hx-get="{history_url}"' in content
    assert reverse("staff:staff-update", args=[sales_a.pk]) not in content


def test_staff_detail_of_another_store_is_not_found(client, manager_a, sales_b):
    response = signed_in(client, manager_a).get(reverse("staff:staff-detail", args=[sales_b.pk]))

    assert response.status_code == 404


def test_staff_create_with_a_password(client, owner, store_a):
    response = signed_in(client, owner).post(
        reverse("staff:staff-create"),
        {
            "username": "wang.fang",
            "full_name": "Wang Fang",
            "email": "wang.fang@example.com",
            "phone": "13800138000",
            "role": Role.SALES,
            "stores": [store_a.pk],
            "language": "zh-hant",
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
        },
    )

    user = User.objects.get(username="wang.fang")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:staff-detail", args=[user.pk])
    assert (user.full_name, user.role, user.language) == ("Wang Fang", "sales", "zh-hant")
    assert list(user.stores.all()) == [store_a]
    assert user.check_password(STRONG_PASSWORD)


def test_staff_create_without_password_emails_a_link(
    client, owner, store_a, django_capture_on_commit_callbacks
):
    signed_in(client, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:staff-create"),
            {
                "username": "li.na",
                "full_name": "Li Na",
                "email": "li.na@example.com",
                "role": Role.SALES,
                "stores": [store_a.pk],
                "language": "en",
            },
        )

    assert response.status_code == 302
    user = User.objects.get(username="li.na")
    assert user.has_usable_password() is False
    [message] = mail.outbox
    assert message.to == ["li.na@example.com"]
    [link] = [line for line in message.body.splitlines() if line.startswith("http://testserver/")]

    # the link opens the sign-in pages' form for choosing a password
    client.logout()
    page = client.get(link.removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is True


def test_staff_create_shows_service_errors_next_to_fields(client, owner, store_a):
    response = signed_in(client, owner).post(
        reverse("staff:staff-create"),
        {
            "username": "weak",
            "full_name": "Weak",
            "role": Role.SALES,
            "language": "en",
            "password": "12345678",
            "password_confirm": "12345678",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        "stores": ["Choose at least one store: staff other than owners work in a store."]
    }
    assert not User.objects.filter(username="weak").exists()


def test_staff_create_refuses_mismatched_passwords(client, owner, store_a):
    response = signed_in(client, owner).post(
        reverse("staff:staff-create"),
        {
            "username": "typo",
            "full_name": "Typo",
            "role": Role.SALES,
            "stores": [store_a.pk],
            "language": "en",
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD + "!",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password_confirm": ["The two passwords are not the same."]
    }
    assert not User.objects.filter(username="typo").exists()


def test_staff_create_is_forbidden_to_store_managers(client, manager_a, store_a):
    response = signed_in(client, manager_a).post(
        reverse("staff:staff-create"),
        {"username": "x", "full_name": "X", "role": Role.SALES, "stores": [store_a.pk]},
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_staff_update(client, owner, sales_a, store_a, store_b):
    url = reverse("staff:staff-update", args=[sales_a.pk])
    initial = signed_in(client, owner).get(url).context["form"].initial
    assert initial["stores"] == [store_a]

    response = client.post(
        url,
        {
            "full_name": "Li Na",
            "email": sales_a.email,
            "phone": "",
            "role": Role.STORE_MANAGER,
            "stores": [store_b.pk],
            "language": "en",
            "is_active": "on",
        },
    )

    sales_a.refresh_from_db()
    assert response.status_code == 302
    assert sales_a.role == Role.STORE_MANAGER
    assert list(sales_a.stores.all()) == [store_b]


def test_the_last_owner_cannot_demote_themselves(client, owner):
    response = signed_in(client, owner).post(
        reverse("staff:staff-update", args=[owner.pk]),
        {
            "full_name": owner.full_name,
            "email": owner.email,
            "role": Role.SALES,
            "language": "en",
            "is_active": "on",
        },
    )

    owner.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        f"{owner.full_name} is the last active owner; make another staff member an owner first."
    ]
    assert owner.role == Role.OWNER


def test_staff_deactivate(client, owner, sales_a):
    url = reverse("staff:staff-deactivate", args=[sales_a.pk])
    assert signed_in(client, owner).get(url).status_code == 200

    response = client.post(url)

    sales_a.refresh_from_db()
    assert response.status_code == 302
    assert sales_a.is_active is False


def test_staff_deactivate_yourself_is_refused(client, owner):
    UserFactory(role=Role.OWNER)

    response = signed_in(client, owner).post(reverse("staff:staff-deactivate", args=[owner.pk]))

    owner.refresh_from_db()
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.content.decode()
    assert owner.is_active is True


def test_staff_deactivate_is_forbidden_to_store_managers(client, manager_a, sales_a):
    response = signed_in(client, manager_a).post(
        reverse("staff:staff-deactivate", args=[sales_a.pk])
    )

    sales_a.refresh_from_db()
    assert response.status_code == 403
    assert sales_a.is_active is True


# --- Another store's object is not found before a missing capability is forbidden -------------


def write_rows():
    return AuditEvent.objects.exclude(action=AuditAction.PERMISSION_DENIED).count()


STAFF_PAGES = [
    ("staff:staff-detail", "get"),
    ("staff:staff-update", "get"),
    ("staff:staff-update", "post"),
    ("staff:staff-deactivate", "get"),
    ("staff:staff-deactivate", "post"),
]
STORE_MANAGER_PAGES = [
    ("staff:store-update", "get"),
    ("staff:store-update", "post"),
    ("staff:store-deactivate", "get"),
    ("staff:store-deactivate", "post"),
    ("staff:store-activate", "post"),
]


@pytest.mark.parametrize(("url_name", "method"), STAFF_PAGES)
def test_staff_pages_are_forbidden_to_sales_at_home_and_not_found_elsewhere(
    client, sales_a, store_a, store_b, make_staff, url_name, method
):
    # given a sales member of store A, a colleague in store A and a stranger in store B
    colleague = make_staff(stores=[store_a], full_name="Zhao Min")
    stranger = make_staff(stores=[store_b], full_name="Qian Hao")
    send = getattr(signed_in(client, sales_a), method)
    denied, writes = denied_rows(), write_rows()

    # when they open the page of each
    home = send(reverse(url_name, args=[colleague.pk]), {"full_name": "Changed"})
    elsewhere = send(reverse(url_name, args=[stranger.pk]), {"full_name": "Changed"})

    # then the colleague's is forbidden (audited), the stranger does not exist for them
    assert (home.status_code, elsewhere.status_code) == (403, 404)
    assert denied_rows() == denied + 1
    assert write_rows() == writes
    colleague.refresh_from_db()
    stranger.refresh_from_db()
    assert (colleague.full_name, colleague.is_active) == ("Zhao Min", True)
    assert (stranger.full_name, stranger.is_active) == ("Qian Hao", True)


@pytest.mark.parametrize(
    ("url_name", "method"), [p for p in STAFF_PAGES if p[0] != "staff:staff-detail"]
)
def test_staff_changes_are_forbidden_to_store_managers_at_home_and_not_found_elsewhere(
    client, manager_a, sales_a, sales_b, url_name, method
):
    send = getattr(signed_in(client, manager_a), method)
    denied, writes = denied_rows(), write_rows()

    home = send(reverse(url_name, args=[sales_a.pk]), {"full_name": "Changed"})
    elsewhere = send(reverse(url_name, args=[sales_b.pk]), {"full_name": "Changed"})

    assert (home.status_code, elsewhere.status_code) == (403, 404)
    assert denied_rows() == denied + 1
    assert write_rows() == writes
    sales_a.refresh_from_db()
    sales_b.refresh_from_db()
    assert (sales_a.full_name, sales_a.is_active) == ("Li Na", True)
    assert (sales_b.full_name, sales_b.is_active) == ("Wang Fang", True)


@pytest.mark.parametrize(("url_name", "method"), STORE_MANAGER_PAGES)
def test_store_changes_are_forbidden_to_store_managers_at_home_and_not_found_elsewhere(
    client, manager_a, store_a, store_b, url_name, method
):
    Store.objects.filter(pk__in=[store_a.pk, store_b.pk]).update(is_active=False)
    send = getattr(signed_in(client, manager_a), method)
    denied, writes = denied_rows(), write_rows()

    home = send(reverse(url_name, args=[store_a.pk]), {"name": "Changed", "code": "zz9"})
    elsewhere = send(reverse(url_name, args=[store_b.pk]), {"name": "Changed", "code": "zz9"})

    assert (home.status_code, elsewhere.status_code) == (403, 404)
    assert denied_rows() == denied + 1
    assert write_rows() == writes
    assert list(Store.objects.order_by("code").values_list("name", "is_active")) == [
        ("Store A", False),
        ("Store B", False),
    ]


# --- The organisation -----------------------------------------------------------------------------


def test_organisation_update(client, owner):
    url = reverse("staff:organisation-update")
    form = signed_in(client, owner).get(url).context["form"]
    assert form.initial == {"name": "Guanxi", "require_two_factor": False}

    response = client.post(url, {"name": "Lotus Beauty", "require_two_factor": "on"})

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert (organisation.name, organisation.require_two_factor) == ("Lotus Beauty", True)


def test_organisation_update_is_forbidden_to_store_managers(client, manager_a):
    organisation_get()

    response = signed_in(client, manager_a).post(
        reverse("staff:organisation-update"), {"name": "Taken Over"}
    )

    assert response.status_code == 403
    assert Organisation.objects.get().name == "Guanxi"


def test_pages_need_sign_in(client, store_a):
    response = client.get(reverse("staff:store-detail", args=[store_a.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_staff_list_filters_by_store(client, owner, sales_a, sales_b, store_b):
    response = signed_in(client, owner).get(reverse("staff:staff-list"), {"store": store_b.pk})

    assert [u.username for u in response.context["page_obj"]] == ["sales_b"]


def test_staff_list_store_filter_offers_only_the_users_stores(
    client, manager_a, sales_a, sales_b, store_b
):
    response = signed_in(client, manager_a).get(reverse("staff:staff-list"), {"store": store_b.pk})

    assert [u.username for u in response.context["page_obj"]] == ["manager_a", "sales_a"]
    assert "Store B" not in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["staff:store-create", "staff:staff-create", "staff:organisation-update", "staff:staff-list"],
)
def test_owner_pages_render(client, owner, store_a, url_name):
    response = signed_in(client, owner).get(reverse(url_name))

    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_staff_list_pages_keep_the_filters(client, owner, store_a, make_staff, monkeypatch):
    monkeypatch.setattr("guanxi.staff.views.directory.PAGE_SIZE", 1)
    make_staff(stores=[store_a], full_name="Sales One")
    make_staff(stores=[store_a], full_name="Sales Two")

    response = signed_in(client, owner).get(
        reverse("staff:staff-list"), {"role": Role.SALES, "page": "1"}, **HX
    )

    content = response.content.decode()
    assert [u.full_name for u in response.context["page_obj"]] == ["Sales One"]
    assert 'hx-get="?role=sales&amp;page=2"' in content
    assert "Page 1 of 2" in content
