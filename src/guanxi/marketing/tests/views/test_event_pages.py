"""The member-event pages, end to end with the client."""

import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import TierLevel
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent
from guanxi.marketing.services import event_register, lottery_draw
from guanxi.marketing.tests.factories import MemberEventFactory

pytestmark = pytest.mark.django_db


def test_list_shows_the_users_stores_events_and_those_of_every_store(
    client, sales_a, store_a, store_b
):
    # given an event of store A, one of store B and one of every store
    MemberEventFactory(store=store_a, title="Workshop of A")
    MemberEventFactory(store=store_b, title="Workshop of B")
    MemberEventFactory(store=None, title="Gala of every store")
    client.force_login(sales_a)

    # when store A's clerk lists the events
    html = client.get(reverse("marketing:event-list")).content.decode()

    # then A's and every store's events are listed, B's is not
    assert "Workshop of A" in html
    assert "Gala of every store" in html
    assert "Workshop of B" not in html


def test_list_search_and_htmx_partial(client, sales_a, store_a):
    MemberEventFactory(store=store_a, title="Tea afternoon", place="Lounge")
    MemberEventFactory(store=store_a, title="Skin workshop", place="Lounge")
    client.force_login(sales_a)

    response = client.get(reverse("marketing:event-list"), {"q": "tea"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert "Tea afternoon" in html
    assert "Skin workshop" not in html


def test_list_runs_a_fixed_number_of_queries(client, sales_a, store_a, django_assert_num_queries):
    for n in range(5):
        MemberEventFactory(store=store_a, title=f"Event {n}")
    client.force_login(sales_a)
    client.get(reverse("marketing:event-list"))  # warm the session and the user's stores

    # session, user, the user's stores, count, page of events (joined), the session's save
    with django_assert_num_queries(8):
        client.get(reverse("marketing:event-list"), HTTP_HX_REQUEST="true")


def test_marketer_creates_an_event(client, marketer_a, store_a):
    client.force_login(marketer_a)

    response = client.post(
        reverse("marketing:event-create"),
        {
            "title": "618 beauty day",
            "description": "Bring a friend.",
            "starts_at": "2030-06-18T14:00",
            "ends_at": "2030-06-18T17:00",
            "place": "Store A",
            "store": store_a.pk,
            "capacity": "25",
            "registration_open": "on",
            "minimum_tier": TierLevel.objects.get(rank=2).pk,
            "minimum_spend": "1000.00",
            "spend_days": "90",
        },
    )

    event = MemberEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:event-detail", kwargs={"pk": event.pk})
    assert (event.title, event.capacity, event.spend_days, str(event.minimum_spend)) == (
        "618 beauty day",
        25,
        90,
        "1000.00",
    )
    assert (
        AuditEvent.objects.filter(object_type="marketing.memberevent", action="create").count() == 1
    )


def test_the_form_offers_a_marketer_only_their_stores(client, marketer_a, store_a, store_b):
    client.force_login(marketer_a)

    html = client.get(reverse("marketing:event-create")).content.decode()

    stores = html.split('name="store"')[1].split("</select>")[0]
    assert f'value="{store_a.pk}"' in stores
    assert f'value="{store_b.pk}"' not in stores
    assert "Every store" not in stores


def test_sales_staff_may_not_create_or_edit(client, sales_a, event):
    client.force_login(sales_a)

    assert client.get(reverse("marketing:event-create")).status_code == 403
    assert client.get(reverse("marketing:event-update", kwargs={"pk": event.pk})).status_code == 403
    assert client.get(reverse("marketing:event-draw", kwargs={"pk": event.pk})).status_code == 403


def test_edit_saves_the_change(client, marketer_a, event):
    client.force_login(marketer_a)
    url = reverse("marketing:event-update", kwargs={"pk": event.pk})
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("registration_open", "requires_package")
    }
    data.update(
        starts_at=event.starts_at.strftime("%Y-%m-%dT%H:%M"),
        ends_at=event.ends_at.strftime("%Y-%m-%dT%H:%M"),
        capacity="12",
        registration_open="on",
    )

    response = client.post(url, data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.registration_open) == (12, True)


def test_detail_lists_registrants_with_their_eligibility(client, sales_a, store_a):
    # given a VIP event with one ineligible registrant (registered before the rule was set)
    event = MemberEventFactory(store=store_a, title="VIP tea")
    customer = CustomerFactory(home_store=store_a, full_name="林小美")
    event_register(event=event, customer=customer, actor=sales_a)
    MemberEvent.objects.filter(pk=event.pk).update(minimum_tier=TierLevel.objects.get(rank=2))
    client.force_login(sales_a)

    # when the event page is shown
    html = client.get(reverse("marketing:event-detail", kwargs={"pk": event.pk})).content.decode()

    # then the registrant is listed with the reason they fail the rule
    row = html.split('data-registration="')[1].split("</tr>")[0]
    assert "林小美" in row
    assert 'data-eligible="false"' in row
    assert "Needs the tier VIP or higher; the customer has no member card." in row
    assert "1 of 30 taken, 29 left" in html


def test_front_desk_registers_a_customer_by_phone(client, sales_a, event, store_a):
    customer = CustomerFactory(home_store=store_a, phone="+8613912345678", full_name="王芳")
    client.force_login(sales_a)

    response = client.post(
        reverse("marketing:event-register", kwargs={"pk": event.pk}),
        {"customer": "139 1234 5678"},
        follow=True,
    )

    registration = EventRegistration.objects.get()
    assert (registration.customer_id, registration.channel) == (customer.pk, "staff")
    assert "王芳 is registered for Spring skin-care workshop." in response.content.decode()


def test_a_refused_registration_shows_the_reasons(client, sales_a, store_a):
    event = MemberEventFactory(store=store_a, minimum_tier=TierLevel.objects.get(rank=2))
    CustomerFactory(home_store=store_a, phone="+8613912345678")
    client.force_login(sales_a)

    response = client.post(
        reverse("marketing:event-register", kwargs={"pk": event.pk}),
        {"customer": "13912345678"},
    )

    assert response.status_code == 400
    errors = response.content.decode().split('id="register-errors"')[1].split("</div></div>")[0]
    assert "Needs the tier VIP or higher; the customer has no member card." in errors
    assert EventRegistration.objects.count() == 0


def test_another_stores_customer_cannot_be_registered(client, sales_a, event, store_b):
    CustomerFactory(home_store=store_b, phone="+8613912345678")
    client.force_login(sales_a)

    response = client.post(
        reverse("marketing:event-register", kwargs={"pk": event.pk}),
        {"customer": "13912345678"},
    )

    assert response.status_code == 400
    assert "No customer has this phone number." in response.content.decode()
    assert EventRegistration.objects.count() == 0


def test_cancel_asks_then_cancels(client, sales_a, event, store_a):
    registration, _ = event_register(
        event=event, customer=CustomerFactory(home_store=store_a), actor=sales_a
    )
    client.force_login(sales_a)
    url = reverse("marketing:registration-cancel", kwargs={"pk": registration.pk})

    asked = client.get(url)
    done = client.post(url)

    assert asked.status_code == 200
    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_draw_then_result_then_verify(client, marketer_a, sales_a, event, store_a):
    # given 6 registrants
    for n in range(6):
        event_register(
            event=event,
            customer=CustomerFactory(home_store=store_a, full_name=f"Winner candidate {n}"),
            actor=sales_a,
        )
    client.force_login(marketer_a)

    # when the marketer draws 2 winners
    response = client.post(
        reverse("marketing:event-draw", kwargs={"pk": event.pk}),
        {"prize": "Gift box", "winners_count": "2"},
    )

    # then the result page lists the 2 winners in the order drawn, with the seed
    draw = LotteryDraw.objects.get()
    assert response["Location"] == reverse("marketing:draw-detail", kwargs={"pk": draw.pk})
    html = client.get(response["Location"]).content.decode()
    listed = [int(part.split('"')[0]) for part in html.split('data-registration="')[1:]]
    assert listed == draw.winners
    assert f'<code id="draw-seed">{draw.seed}</code>' in html

    # and "Verify draw" says the replay matches
    verify = client.get(
        reverse("marketing:draw-verify", kwargs={"pk": draw.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-matches="true"' in verify
    assert "the same winners, in the same order" in verify


def test_a_winner_of_another_store_is_not_named(client, owner, store_a, store_b, make_staff):
    # given an event of every store whose only registrant is a customer of store B
    event = MemberEventFactory(store=None)
    customer = CustomerFactory(home_store=store_b, full_name="Outside winner")
    event_register(event=event, customer=customer, actor=owner)
    draw = lottery_draw(event=event, prize="Gift", winners_count=1, actor=owner, seed=1)
    client.force_login(make_staff(role="sales", stores=[store_a]))

    html = client.get(reverse("marketing:draw-detail", kwargs={"pk": draw.pk})).content.decode()

    assert "Outside winner" not in html
    assert "A customer of another store" in html


def test_event_history_follows_the_events_store(client, manager_a, marketer_a, store_a, store_b):
    from guanxi.marketing.services import event_create

    mine = event_create(actor=marketer_a, **_event_data(store_a, "Mine"))
    other = MemberEventFactory(store=store_b)
    client.force_login(manager_a)

    page = client.get(reverse("marketing:event-detail", kwargs={"pk": mine.pk})).content.decode()
    seen = client.get(reverse("core:object-history", args=["marketing.memberevent", mine.pk]))
    hidden = client.get(reverse("core:object-history", args=["marketing.memberevent", other.pk]))

    assert 'id="event-history-load"' in page
    assert seen.status_code == 200
    assert "marketer_a" in seen.content.decode()
    assert hidden.status_code == 404


def _event_data(store, title):
    import datetime

    from django.utils import timezone

    starts = timezone.now() + datetime.timedelta(days=3)
    return {
        "title": title,
        "place": "Lounge",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "capacity": 10,
        "store": store,
    }
