"""The recommended action of each R×F grid cell when the owner has not written one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.analytics.choices import FrequencyBand, RecencyBand

R = RecencyBand
F = FrequencyBand

DEFAULT_GRID_ACTIONS = {
    (R.ACTIVE, F.NEW): _("Welcome them and invite a second visit within the month."),
    (R.ACTIVE, F.SECOND_TIME): _("Thank them and offer membership or a package."),
    (R.ACTIVE, F.RETURNING): _("Recommend what customers like them buy next."),
    (R.ACTIVE, F.FAN): _("Reward them: early access, gifts, invitations to events."),
    (R.SILENT, F.NEW): _("Remind them of their first purchase and suggest the next step."),
    (R.SILENT, F.SECOND_TIME): _("Send a care message about what they bought."),
    (R.SILENT, F.RETURNING): _("Invite them back with something new in their favourite category."),
    (R.SILENT, F.FAN): _("Call them personally: a loyal customer is overdue."),
    (R.SLEEPING, F.NEW): _("Send one offer to bring them back; do not insist."),
    (R.SLEEPING, F.SECOND_TIME): _("Offer a return visit with a small gift."),
    (R.SLEEPING, F.RETURNING): _("Ask how they are and offer a comeback reward."),
    (R.SLEEPING, F.FAN): _("Win them back now: personal call from their usual staff member."),
    (R.LOST, F.NEW): _("Leave them out of campaigns, except the big festivals."),
    (R.LOST, F.SECOND_TIME): _("Include them in festival campaigns only."),
    (R.LOST, F.RETURNING): _("Ask why they stopped coming; offer a comeback reward."),
    (R.LOST, F.FAN): _("Find out what went wrong and make it right."),
}
