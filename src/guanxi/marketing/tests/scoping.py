"""The member events' declarations for the central permission-matrix test: every URL that takes
an event, a registration or a draw of store B."""

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.marketing.tests.factories import (
    EventRegistrationFactory,
    MemberEventFactory,
    make_draw,
)


def make_event_of(store):
    return MemberEventFactory(store=store, title=f"Outofscope Event {store.code}")


def make_registration_of(store):
    customer = CustomerFactory(home_store=store, full_name=f"Outofscope Registrant {store.code}")
    return EventRegistrationFactory(event=make_event_of(store), customer=customer)


def make_draw_of(store):
    registration = make_registration_of(store)
    return make_draw(registration.event, [registration], prize=f"Outofscope Prize {store.code}")


SCOPED_URLS = {
    "marketing:event-detail": make_event_of,
    "marketing:event-update": make_event_of,
    "marketing:event-register": make_event_of,
    "marketing:event-draw": make_event_of,
    "marketing:registration-cancel": make_registration_of,
    "marketing:draw-detail": make_draw_of,
    "marketing:draw-verify": make_draw_of,
    "api-marketing-event-registrations": make_event_of,
}
LIST_URLS = {
    "marketing:event-list": make_event_of,
    "api-marketing-event-list": make_event_of,
}
