from django.urls import path

from guanxi.loyalty.views import cards, tiers

app_name = "loyalty"
urlpatterns: list = [
    path("cards/<int:pk>/", cards.CardDetailView.as_view(), name="card-detail"),
    path("cards/<int:pk>/ledger/", cards.CardLedgerView.as_view(), name="card-ledger"),
    path("cards/<int:pk>/freeze/", cards.CardFreezeView.as_view(), name="card-freeze"),
    path("cards/<int:pk>/unfreeze/", cards.CardUnfreezeView.as_view(), name="card-unfreeze"),
    path(
        "cards/<int:pk>/report-lost/", cards.CardReportLostView.as_view(), name="card-report-lost"
    ),
    path("cards/<int:pk>/replace/", cards.CardReplaceView.as_view(), name="card-replace"),
    path("cards/<int:pk>/print/", cards.CardPrintView.as_view(), name="card-print"),
    path("customers/<int:pk>/issue-card/", cards.CardIssueView.as_view(), name="card-issue"),
    path("tiers/", tiers.TierLevelListView.as_view(), name="tier-list"),
    path("tiers/create/", tiers.TierLevelFormView.as_view(), name="tier-create"),
    path("tiers/<int:pk>/update/", tiers.TierLevelFormView.as_view(), name="tier-update"),
    path("tiers/policy/", tiers.TierPolicyUpdateView.as_view(), name="tier-policy"),
]
