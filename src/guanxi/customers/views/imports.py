"""Pages of the customer import: upload a file, map its columns, check it, import it.

The uploaded file is kept under MEDIA_ROOT/imports/; the pages pass it on as a signed token that
names the file and the staff member who uploaded it, so nobody can point an import at another
file. A check or an import runs as a background job; the mapping page shows its progress and,
when it has finished, its report.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import is_htmx_partial, render_page_or_partial
from guanxi.core.selectors import job_list
from guanxi.customers.forms.imports import ImportMappingForm, ImportUploadForm
from guanxi.customers.imports.mapping import IMPORT_FIELDS, suggest_mapping
from guanxi.customers.imports.reading import ImportLimits, read_preview
from guanxi.customers.models import ImportMapping
from guanxi.customers.services.imports import (
    IMPORT_KIND,
    UPLOAD_MAX_AGE,
    ImportOptions,
    customer_import_start,
    import_mapping_save,
    import_upload_path,
    import_upload_store,
)
from guanxi.customers.views.customer import CapabilityRequiredMixin

TOKEN_SALT = "guanxi.customers.import"
TOKEN_MAX_AGE = int(UPLOAD_MAX_AGE.total_seconds())  # as long as uploads are kept


def _token(request: HttpRequest, **data: Any) -> str:
    return signing.dumps({**data, "by": request.user.pk}, salt=TOKEN_SALT)


def _upload_of(request: HttpRequest, *, file_required: bool = True) -> dict[str, Any]:
    """The upload a token names, if this user made it and the file is still there (an import
    removes it: its report page does without); else 404."""
    try:
        data = signing.loads(request.GET.get("upload", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if data.get("by") != request.user.pk:
        raise Http404
    path = import_upload_path(str(data.get("name", "")))
    if path is None and file_required:
        raise Http404(_("The uploaded file is no longer here; upload it again."))
    return {**data, "path": path}


def _upload_context(form: ImportUploadForm) -> dict[str, Any]:
    return {"form": form, "max_mb": ImportLimits.from_settings().max_bytes // 2**20}


class CustomerImportView(CapabilityRequiredMixin, View):
    """Step 1: upload the file and say how to read it."""

    capability = "customers.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "customers/import_upload.html", _upload_context(ImportUploadForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                name = import_upload_store(upload=upload)
                mapping = form.cleaned_data["saved_mapping"]
                token = _token(
                    request,
                    name=name,
                    file_name=upload.name,
                    encoding=form.cleaned_data["encoding"],
                    mapping=mapping.pk if mapping else None,
                )
                path = import_upload_path(name)
                assert path is not None
                read_preview(path, encoding=form.cleaned_data["encoding"])  # refuse bad files now
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                url = reverse("customers:customer-import-map")
                return redirect(f"{url}?{urlencode({'upload': token})}")
        return render(request, "customers/import_upload.html", _upload_context(form), status=400)


class CustomerImportMapView(CapabilityRequiredMixin, View):
    """Step 2: map the columns, choose the options, check or import; then the job's report."""

    capability = "customers.import"

    def _context(
        self, request: HttpRequest, upload: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        job = None
        if request.GET.get("job", "").isdigit():
            job = (
                job_list(user=request.user)
                .filter(pk=int(request.GET["job"]), kind=IMPORT_KIND)
                .first()
            )
        return {"upload": upload, "job": job, "upload_token": request.GET["upload"], **extra}

    def _form(self, request: HttpRequest, upload: dict[str, Any], data: Any = None) -> Any:
        try:
            table, sample = read_preview(upload["path"], encoding=upload.get("encoding"))
        except ApplicationError as error:
            raise Http404(error.message) from error
        mapping_id = upload.get("mapping")
        saved = ImportMapping.objects.filter(pk=mapping_id).first() if mapping_id else None
        initial = suggest_mapping(table.headers)
        if saved is not None:
            initial = {h: saved.columns.get(h, "") for h in table.headers}
        form = ImportMappingForm(
            data,
            user=request.user,
            headers=table.headers,
            initial_mapping=initial,
            initial={"save_as": saved.name if saved else ""},
        )
        columns = [
            (bound, [row[index] if index < len(row) else "" for row in sample])
            for bound, index in form.column_fields()
        ]
        return form, columns, table

    def get(self, request: HttpRequest) -> HttpResponse:
        upload = _upload_of(request, file_required="job" not in request.GET)
        context = self._context(request, upload)
        if upload["path"] is None and context["job"] is None:
            raise Http404(_("The uploaded file is no longer here; upload it again."))
        if context["job"] is not None and (is_htmx_partial(request) or upload["path"] is None):
            return render_page_or_partial(
                request,
                "customers/import_mapping.html",
                "customers/partials/_import_job.html",
                context,
            )
        form, columns, table = self._form(request, upload)
        context.update(form=form, columns=columns, table=table, fields=IMPORT_FIELDS)
        return render(request, "customers/import_mapping.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = _upload_of(request)
        form, columns, table = self._form(request, upload, request.POST)
        if form.is_valid():
            store = form.cleaned_data["default_store"]
            options = ImportOptions(
                file_name=str(upload.get("file_name") or upload["path"].name),
                mapping=form.mapping(),
                encoding=upload.get("encoding"),
                default_store_id=store.pk if store else None,
                dry_run=request.POST.get("action") != "import",
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
            try:
                if form.cleaned_data["save_as"]:
                    import_mapping_save(
                        name=form.cleaned_data["save_as"],
                        columns=form.mapping(),
                        actor=request.user,
                    )
                job = customer_import_start(
                    actor=request.user, upload_name=upload["name"], options=options
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                query = urlencode({"upload": request.GET["upload"], "job": job.pk})
                return redirect(f"{reverse('customers:customer-import-map')}?{query}")
        context = self._context(request, upload)
        context.update(form=form, columns=columns, table=table, fields=IMPORT_FIELDS)
        return render(request, "customers/import_mapping.html", context, status=400)
