from django.urls import path

from guanxi.customers.views import consent as consent_views
from guanxi.customers.views import customer as views
from guanxi.customers.views import households as household_views
from guanxi.customers.views import merge as merge_views
from guanxi.customers.views import quality as quality_views
from guanxi.customers.views import rights as rights_views
from guanxi.customers.views import saved_views as saved_view_views
from guanxi.customers.views import tags as tag_views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer-list"),
    path("create/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("export/", views.CustomerExportView.as_view(), name="customer-export"),
    path("autocomplete/", views.CustomerAutocompleteView.as_view(), name="customer-autocomplete"),
    path("quick-search/", views.CustomerQuickSearchView.as_view(), name="customer-quick-search"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("<int:pk>/update/", views.CustomerUpdateView.as_view(), name="customer-update"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="customer-delete"),
    path("quality/", quality_views.DataQualityView.as_view(), name="data-quality"),
    path(
        "quality/weights/",
        quality_views.CompletenessWeightsView.as_view(),
        name="completeness-weights",
    ),
    path("duplicates/", quality_views.DuplicateListView.as_view(), name="duplicate-list"),
    path("<int:pk>/merge/", merge_views.CustomerMergeView.as_view(), name="customer-merge"),
    # Lists, the customer page, households and tags
    path("<int:pk>/timeline/", views.CustomerTimelineView.as_view(), name="customer-timeline"),
    path("<int:pk>/tags/add/", tag_views.CustomerTagAddView.as_view(), name="customer-tag-add"),
    path(
        "<int:pk>/tags/remove/",
        tag_views.CustomerTagRemoveView.as_view(),
        name="customer-tag-remove",
    ),
    path("households/", household_views.HouseholdListView.as_view(), name="household-list"),
    path(
        "households/create/",
        household_views.HouseholdCreateView.as_view(),
        name="household-create",
    ),
    path(
        "households/<int:pk>/",
        household_views.HouseholdDetailView.as_view(),
        name="household-detail",
    ),
    path(
        "households/<int:pk>/update/",
        household_views.HouseholdUpdateView.as_view(),
        name="household-update",
    ),
    path(
        "households/<int:pk>/delete/",
        household_views.HouseholdDeleteView.as_view(),
        name="household-delete",
    ),
    path(
        "households/<int:pk>/members/add/",
        household_views.HouseholdMemberAddView.as_view(),
        name="household-member-add",
    ),
    path(
        "households/<int:pk>/members/remove/",
        household_views.HouseholdMemberRemoveView.as_view(),
        name="household-member-remove",
    ),
    path("tags/", tag_views.TagListView.as_view(), name="tag-list"),
    path("tags/create/", tag_views.TagCreateView.as_view(), name="tag-create"),
    path("tags/<int:pk>/update/", tag_views.TagUpdateView.as_view(), name="tag-update"),
    path("tags/<int:pk>/delete/", tag_views.TagDeleteView.as_view(), name="tag-delete"),
    path(
        "saved-views/create/",
        saved_view_views.SavedViewCreateView.as_view(),
        name="saved-view-create",
    ),
    path(
        "saved-views/<int:pk>/delete/",
        saved_view_views.SavedViewDeleteView.as_view(),
        name="saved-view-delete",
    ),
    # Consent, skin and health data, the customer's rights
    path("<int:pk>/consent/", consent_views.CustomerConsentView.as_view(), name="customer-consent"),
    path(
        "<int:pk>/consent/opt-out/",
        consent_views.CustomerOptOutView.as_view(),
        name="customer-opt-out",
    ),
    path("opt-out/<str:token>/", consent_views.OptOutLinkView.as_view(), name="opt-out"),
    path(
        "<int:pk>/sensitive/",
        consent_views.CustomerSensitiveView.as_view(),
        name="customer-sensitive",
    ),
    path(
        "<int:pk>/sensitive/delete/",
        consent_views.CustomerSensitiveDeleteView.as_view(),
        name="customer-sensitive-delete",
    ),
    path("<int:pk>/rights/", rights_views.CustomerRightsView.as_view(), name="customer-rights"),
    path(
        "<int:pk>/rights/export/",
        rights_views.CustomerDataExportView.as_view(),
        name="customer-data-export",
    ),
    path("<int:pk>/rights/erase/", rights_views.CustomerEraseView.as_view(), name="customer-erase"),
]

from guanxi.customers.views import imports as import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.CustomerImportView.as_view(), name="customer-import"),
    path("import/map/", import_views.CustomerImportMapView.as_view(), name="customer-import-map"),
]
