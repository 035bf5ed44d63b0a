"""Writes of the marketing domain: member events, registrations and the lottery."""

from guanxi.marketing.services.eligibility import Eligibility, RuleCheck, event_eligibility
from guanxi.marketing.services.events import can_manage_event, event_create, event_update
from guanxi.marketing.services.lottery import (
    DrawVerification,
    draw_winners,
    lottery_draw,
    lottery_replay,
    lottery_verify,
)
from guanxi.marketing.services.registrations import event_register, registration_cancel

__all__ = [
    "DrawVerification",
    "Eligibility",
    "RuleCheck",
    "can_manage_event",
    "draw_winners",
    "event_create",
    "event_eligibility",
    "event_register",
    "event_update",
    "lottery_draw",
    "lottery_replay",
    "lottery_verify",
    "registration_cancel",
]
