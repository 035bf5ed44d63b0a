from django.urls import path

from guanxi.customers.api import consent as consent_views
from guanxi.customers.api import customer as views
from guanxi.customers.api import households as household_views
from guanxi.customers.api import sensitive as sensitive_views
from guanxi.customers.api import tags as tag_views

urlpatterns = [
    path("", views.CustomerListApi.as_view(), name="api-customer-list"),
    path("<int:pk>/", views.CustomerDetailApi.as_view(), name="api-customer-detail"),
    path(
        "<int:pk>/sensitive/",
        sensitive_views.CustomerSensitiveApi.as_view(),
        name="api-customer-sensitive",
    ),
    path(
        "<int:pk>/consent/", consent_views.CustomerConsentApi.as_view(), name="api-customer-consent"
    ),
    path(
        "<int:pk>/consent/opt-out/",
        consent_views.CustomerOptOutApi.as_view(),
        name="api-customer-opt-out",
    ),
    path("<int:pk>/tags/", tag_views.CustomerTagAddApi.as_view(), name="api-customer-tag-add"),
    path(
        "<int:pk>/tags/<int:tag_pk>/",
        tag_views.CustomerTagRemoveApi.as_view(),
        name="api-customer-tag-remove",
    ),
    path("tags/", tag_views.TagListApi.as_view(), name="api-tag-list"),
    path("tags/<int:pk>/", tag_views.TagDetailApi.as_view(), name="api-tag-detail"),
    path("households/", household_views.HouseholdListApi.as_view(), name="api-household-list"),
    path(
        "households/<int:pk>/",
        household_views.HouseholdDetailApi.as_view(),
        name="api-household-detail",
    ),
    path(
        "households/<int:pk>/members/",
        household_views.HouseholdMemberAddApi.as_view(),
        name="api-household-member-add",
    ),
    path(
        "households/<int:pk>/members/<int:customer_pk>/",
        household_views.HouseholdMemberRemoveApi.as_view(),
        name="api-household-member-remove",
    ),
]
