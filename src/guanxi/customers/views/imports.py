"""Pages of the customer import: upload a file, map its columns, check it, import it.

The two steps are the shared import pages (``import_pages``); the customer import adds saved
column mappings: one chosen on upload fills the mapping form, and the form can save the mapping
it sends under a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from guanxi.customers.forms.imports import ImportMappingForm, ImportUploadForm
from guanxi.customers.imports.mapping import IMPORT_FIELDS, suggest_mapping
from guanxi.customers.models import ImportMapping
from guanxi.customers.services.imports import (
    IMPORT_KIND,
    ImportOptions,
    customer_import_start,
    import_mapping_save,
)
from guanxi.customers.views.import_pages import ImportMapPage, ImportUploadPage


class CustomerImportPage:
    capability = "customers.import"
    token_salt = "guanxi.customers.import"
    map_url_name = "customers:customer-import-map"


class CustomerImportView(CustomerImportPage, ImportUploadPage):
    """Step 1: upload the file and say how to read it (and which saved mapping to start from)."""

    template_name = "customers/import_upload.html"
    form_class = ImportUploadForm

    def token_data(self, form: Any) -> dict[str, Any]:
        mapping = form.cleaned_data["saved_mapping"]
        return {"mapping": mapping.pk if mapping else None}


class CustomerImportMapView(CustomerImportPage, ImportMapPage):
    """Step 2: map the columns, choose the options, check or import; then the job's report."""

    template_name = "customers/import_mapping.html"
    job_partial = "customers/partials/_import_job.html"
    form_class = ImportMappingForm
    fields = IMPORT_FIELDS
    import_kind = IMPORT_KIND
    suggest_mapping = staticmethod(suggest_mapping)

    def form_kwargs(self, upload: dict[str, Any], headers: Sequence[str]) -> dict[str, Any]:
        mapping_id = upload.get("mapping")
        saved = ImportMapping.objects.filter(pk=mapping_id).first() if mapping_id else None
        if saved is None:
            return super().form_kwargs(upload, headers)
        return {
            "initial_mapping": {h: saved.columns.get(h, "") for h in headers},
            "initial": {"save_as": saved.name},
        }

    def start(self, request: HttpRequest, form: Any, upload: dict[str, Any]) -> Any:
        if form.cleaned_data["save_as"]:
            import_mapping_save(
                name=form.cleaned_data["save_as"], columns=form.mapping(), actor=request.user
            )
        return customer_import_start(
            actor=request.user,
            upload_name=upload["name"],
            options=ImportOptions(**self.file_options(request, form, upload)),
        )
