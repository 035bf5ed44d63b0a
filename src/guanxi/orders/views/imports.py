"""Pages of the order import: upload a file, map its columns, check it, import it.

The two steps are the shared import pages of the customer import
(``guanxi.customers.views.import_pages``); the order import adds "award points".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.customers.views.import_pages import ImportMapPage, ImportUploadPage
from guanxi.orders.imports.forms import OrderImportMappingForm, OrderImportUploadForm
from guanxi.orders.imports.mapping import ORDER_FIELDS, suggest_mapping
from guanxi.orders.services.imports import (
    CAPABILITY,
    IMPORT_KIND,
    OrderImportOptions,
    order_import_start,
)


class OrderImportPage:
    capability = CAPABILITY
    token_salt = "guanxi.orders.import"
    map_url_name = "orders:order-import-map"


class OrderImportView(OrderImportPage, ImportUploadPage):
    """Step 1: upload the file and say how to read it."""

    template_name = "orders/imports/import_upload.html"
    form_class = OrderImportUploadForm


class OrderImportMapView(OrderImportPage, ImportMapPage):
    """Step 2: map the columns, choose the options, check or import; then the job's report."""

    template_name = "orders/imports/import_mapping.html"
    job_partial = "orders/imports/partials/_import_job.html"
    form_class = OrderImportMappingForm
    fields = ORDER_FIELDS
    import_kind = IMPORT_KIND
    suggest_mapping = staticmethod(suggest_mapping)

    def start(self, request: HttpRequest, form: Any, upload: dict[str, Any]) -> Any:
        options = OrderImportOptions(
            **self.file_options(request, form, upload),
            award_points=form.cleaned_data["award_points"],
        )
        return order_import_start(actor=request.user, upload_name=upload["name"], options=options)
