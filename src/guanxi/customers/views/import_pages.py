"""The two pages every file import has (customers, orders): upload, then map, check and import.

The uploaded file is kept under MEDIA_ROOT/imports/; the pages pass it on as a signed token that
names the file and the staff member who uploaded it, so nobody can point an import at another
file. A check or an import runs as a background job; the mapping page shows its progress and,
when it has finished, its report.

A domain's import subclasses :class:`ImportUploadPage` and :class:`ImportMapPage` with its own
forms, templates, capability and service (the class attributes), and the hooks where it differs
(a saved mapping, options of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar
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
from guanxi.customers.imports.reading import ImportLimits, read_preview
from guanxi.customers.services.imports import (
    UPLOAD_MAX_AGE,
    import_upload_path,
    import_upload_store,
)
from guanxi.customers.views.customer import CapabilityRequiredMixin

TOKEN_MAX_AGE = int(UPLOAD_MAX_AGE.total_seconds())  # as long as uploads are kept


class ImportPage(CapabilityRequiredMixin, View):
    """What both steps share: the capability, the signed token and the mapping page's URL."""

    token_salt: ClassVar[str]
    map_url_name: ClassVar[str]

    def token(self, request: HttpRequest, **data: Any) -> str:
        return signing.dumps({**data, "by": request.user.pk}, salt=self.token_salt)

    def upload_of(self, request: HttpRequest, *, file_required: bool = True) -> dict[str, Any]:
        """The upload a token names, if this user made it and the file is still there (an
        import removes it: its report page does without); else 404."""
        try:
            data = signing.loads(
                request.GET.get("upload", ""), salt=self.token_salt, max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature as exc:
            raise Http404 from exc
        if data.get("by") != request.user.pk:
            raise Http404
        path = import_upload_path(str(data.get("name", "")))
        if path is None and file_required:
            raise Http404(_("The uploaded file is no longer here; upload it again."))
        return {**data, "path": path}

    def map_url(self, **query: Any) -> str:
        return f"{reverse(self.map_url_name)}?{urlencode(query)}"


class ImportUploadPage(ImportPage):
    """Step 1: upload the file and say how to read it."""

    template_name: ClassVar[str]
    form_class: ClassVar[Any]

    def token_data(self, form: Any) -> dict[str, Any]:
        """What else the token carries from the upload form."""
        return {}

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "max_mb": ImportLimits.from_settings().max_bytes // 2**20}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, self.form_class())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            encoding = form.cleaned_data["encoding"]
            try:
                name = import_upload_store(upload=upload)
                path = import_upload_path(name)
                assert path is not None
                read_preview(path, encoding=encoding)  # refuse bad files now
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                token = self.token(
                    request,
                    name=name,
                    file_name=upload.name,
                    encoding=encoding,
                    **self.token_data(form),
                )
                return redirect(self.map_url(upload=token))
        return self._render(request, form, status=400)


class ImportMapPage(ImportPage):
    """Step 2: map the columns, choose the options, check or import; then the job's report."""

    template_name: ClassVar[str]
    job_partial: ClassVar[str]
    form_class: ClassVar[Any]
    fields: ClassVar[Sequence[Any]]
    import_kind: ClassVar[str]
    suggest_mapping: ClassVar[Callable[[Sequence[str]], dict[str, str]]]

    def form_kwargs(self, upload: dict[str, Any], headers: Sequence[str]) -> dict[str, Any]:
        """The mapping form's initial values (default: the mapping suggested by the headers)."""
        return {"initial_mapping": type(self).suggest_mapping(headers)}

    def start(self, request: HttpRequest, form: Any, upload: dict[str, Any]) -> Any:
        """Start the check or the import; returns its job (``ApplicationError`` to refuse)."""
        raise NotImplementedError

    def _context(self, request: HttpRequest, upload: dict[str, Any]) -> dict[str, Any]:
        job = None
        if request.GET.get("job", "").isdigit():
            job = (
                job_list(user=request.user)
                .filter(pk=int(request.GET["job"]), kind=self.import_kind)
                .first()
            )
        return {"upload": upload, "job": job, "upload_token": request.GET["upload"]}

    def _form(self, request: HttpRequest, upload: dict[str, Any], data: Any = None) -> Any:
        try:
            table, sample = read_preview(upload["path"], encoding=upload.get("encoding"))
        except ApplicationError as error:
            raise Http404(error.message) from error
        form = self.form_class(
            data,
            user=request.user,
            headers=table.headers,
            **self.form_kwargs(upload, table.headers),
        )
        columns = [
            (bound, [row[index] if index < len(row) else "" for row in sample])
            for bound, index in form.column_fields()
        ]
        return form, {"form": form, "columns": columns, "table": table, "fields": self.fields}

    def get(self, request: HttpRequest) -> HttpResponse:
        upload = self.upload_of(request, file_required="job" not in request.GET)
        context = self._context(request, upload)
        if upload["path"] is None and context["job"] is None:
            raise Http404(_("The uploaded file is no longer here; upload it again."))
        if context["job"] is not None and (is_htmx_partial(request) or upload["path"] is None):
            return render_page_or_partial(request, self.template_name, self.job_partial, context)
        context.update(self._form(request, upload)[1])
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = self.upload_of(request)
        form, form_context = self._form(request, upload, request.POST)
        if form.is_valid():
            try:
                job = self.start(request, form, upload)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect(self.map_url(upload=request.GET["upload"], job=job.pk))
        context = self._context(request, upload)
        context.update(form_context)
        return render(request, self.template_name, context, status=400)

    @staticmethod
    def file_options(request: HttpRequest, form: Any, upload: dict[str, Any]) -> dict[str, Any]:
        """The options every import takes, from the form and the upload."""
        store = form.cleaned_data["default_store"]
        return {
            "file_name": str(upload.get("file_name") or upload["path"].name),
            "mapping": form.mapping(),
            "encoding": upload.get("encoding"),
            "default_store_id": store.pk if store else None,
            "dry_run": request.POST.get("action") != "import",
            "skip_invalid": form.cleaned_data["skip_invalid"],
        }
