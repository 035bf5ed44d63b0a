from django.urls import path

from guanxi.analytics.views import audiences, customers, grid, lifecycle, pages

app_name = "analytics"
urlpatterns = [
    path("", pages.HubView.as_view(), name="hub"),
    path("refresh/", pages.RefreshView.as_view(), name="refresh"),
    path("settings/", pages.SettingsView.as_view(), name="settings"),
    path("grid/", grid.GridView.as_view(), name="grid"),
    path(
        "grid/actions/<slug:cell>/",
        grid.GridActionUpdateView.as_view(),
        name="grid-action-update",
    ),
    path("segments/", grid.SegmentsView.as_view(), name="segments"),
    path("customers/", customers.CustomerListView.as_view(), name="customer-list"),
    path("customers/export/", customers.CustomerExportView.as_view(), name="customer-export"),
    path("value/", pages.ValueView.as_view(), name="value"),
    path("lifecycle/", lifecycle.LifecycleView.as_view(), name="lifecycle"),
    path("clv/", pages.ClvView.as_view(), name="clv"),
    path("rules/", pages.RulesView.as_view(), name="rules"),
    path("cohorts/", pages.CohortsView.as_view(), name="cohorts"),
    path("forecast/", pages.ForecastView.as_view(), name="forecast"),
    path("tables/<slug:table>.csv", pages.TableCsvView.as_view(), name="table-csv"),
    path("audiences/", audiences.AudienceListView.as_view(), name="audience-list"),
    path("audiences/<int:pk>/", audiences.AudienceDetailView.as_view(), name="audience-detail"),
]
