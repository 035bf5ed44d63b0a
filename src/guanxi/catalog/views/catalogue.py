"""Catalogue pages: products and services (list with search, detail with history, create,
update, take off sale), categories and brands."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.catalog.forms import BrandForm, CategoryForm, ProductForm, ServiceForm
from guanxi.catalog.models import Brand, Category, Service
from guanxi.catalog.selectors import (
    brand_get,
    brand_list,
    category_get,
    category_tree,
    product_get,
    product_list,
    service_get,
    service_list,
)
from guanxi.catalog.services import (
    brand_create,
    brand_update,
    category_create,
    category_update,
    product_create,
    product_deactivate,
    product_update,
    service_create,
    service_deactivate,
    service_update,
)
from guanxi.catalog.views.common import (
    LIST_LIMIT,
    MANAGE,
    CapabilityRequiredMixin,
    active_filter,
    apply_errors,
)
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability


def _or_404(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _list_context(request: HttpRequest, queryset: Any, name: str) -> dict[str, Any]:
    found = list(queryset[: LIST_LIMIT + 1])
    return {
        name: found[:LIST_LIMIT],
        "more": len(found) > LIST_LIMIT,
        "term": request.GET.get("q", "").strip()[:100],
        "active": request.GET.get("active", ""),
        "can_manage": has_capability(request.user, MANAGE),
    }


# --- Products -------------------------------------------------------------------------------------


class ProductListView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q", "").strip()[:100]
        category_pk = request.GET.get("category", "")
        category = category_get(pk=category_pk) if category_pk.isdigit() else None
        products = product_list(
            search=term, category=category, is_active=active_filter(request.GET.get("active", ""))
        )
        context = _list_context(request, products, "products")
        context |= {"categories": category_tree(), "category": category}
        return render_page_or_partial(
            request, "catalog/product_list.html", "catalog/partials/_product_rows.html", context
        )


class ProductDetailView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = _or_404(product_get(pk=pk))
        context = {
            "product": product,
            "can_manage": has_capability(request.user, MANAGE),
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render(request, "catalog/product_detail.html", context)


class ItemFormView(CapabilityRequiredMixin, View):
    """Create (``pk`` absent) or update a product or a service with one form."""

    capability = MANAGE
    form_class: Any = ProductForm
    template_name = "catalog/item_form.html"
    list_url = "catalog:product-list"
    detail_url = "catalog:product-detail"
    kind = "product"

    def get_object(self, pk: int) -> Any:
        return _or_404(product_get(pk=pk))

    def create(self, data: dict[str, Any], actor: Any) -> Any:
        return product_create(**data, actor=actor)

    def update(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return product_update(product=obj, data=data, actor=actor)

    def render_form(self, request: HttpRequest, form: Any, obj: Any, status: int = 200) -> Any:
        context = {"form": form, "object": obj, "kind": self.kind, "list_url": self.list_url}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk) if pk is not None else None
        form = self.form_class(initial=self.form_class.initial_from(obj) if obj else None)
        return self.render_form(request, form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk) if pk is not None else None
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                if obj is None:
                    obj = self.create(form.cleaned_data, request.user)
                else:
                    obj = self.update(obj, form.cleaned_data, request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": obj.name})
                return redirect(self.detail_url, pk=obj.pk)
        return self.render_form(request, form, obj, status=400)


class ProductCreateView(ItemFormView):
    pass


class ProductUpdateView(ItemFormView):
    pass


class DeactivateView(CapabilityRequiredMixin, View):
    """Take a product off sale or stop offering a service (POST only)."""

    capability = MANAGE
    kind = "product"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if self.kind == "product":
            product = _or_404(product_get(pk=pk))
            product_deactivate(product=product, actor=request.user)
            messages.success(request, _("%(name)s is off sale.") % {"name": product.name})
            return redirect("catalog:product-detail", pk=pk)
        service = _or_404(service_get(pk=pk))
        service_deactivate(service=service, actor=request.user)
        messages.success(request, _("%(name)s is no longer offered.") % {"name": service.name})
        return redirect("catalog:service-detail", pk=pk)


class ProductDeactivateView(DeactivateView):
    kind = "product"


# --- Services -------------------------------------------------------------------------------------


class ServiceListView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q", "").strip()[:100]
        services = service_list(search=term, is_active=active_filter(request.GET.get("active", "")))
        context = _list_context(request, services, "services")
        return render_page_or_partial(
            request, "catalog/service_list.html", "catalog/partials/_service_rows.html", context
        )


class ServiceDetailView(CapabilityRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        service = _or_404(service_get(pk=pk))
        context = {
            "service": service,
            "can_manage": has_capability(request.user, MANAGE),
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render(request, "catalog/service_detail.html", context)


class ServiceFormView(ItemFormView):
    form_class = ServiceForm
    list_url = "catalog:service-list"
    detail_url = "catalog:service-detail"
    kind = "service"

    def get_object(self, pk: int) -> Service:
        return _or_404(service_get(pk=pk))

    def create(self, data: dict[str, Any], actor: Any) -> Service:
        return service_create(**data, actor=actor)

    def update(self, obj: Any, data: dict[str, Any], actor: Any) -> Service:
        return service_update(service=obj, data=data, actor=actor)


class ServiceCreateView(ServiceFormView):
    pass


class ServiceUpdateView(ServiceFormView):
    pass


class ServiceDeactivateView(DeactivateView):
    kind = "service"


# --- Categories and brands ------------------------------------------------------------------------


class CategoryListView(CapabilityRequiredMixin, View):
    """The category tree, and (for managers) a form for a new category."""

    template_name = "catalog/category_list.html"

    def render_list(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "nodes": category_tree(),
            "form": form,
            "can_manage": has_capability(request.user, MANAGE),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_list(request, CategoryForm())


class CategoryCreateView(CategoryListView):
    capability = MANAGE

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                category = category_create(**form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Category %(name)s created.") % {"name": category})
                return redirect("catalog:category-list")
        return self.render_list(request, form, status=400)


class CategoryUpdateView(CapabilityRequiredMixin, View):
    capability = MANAGE
    template_name = "catalog/category_form.html"

    def render_form(self, request: HttpRequest, form: Any, category: Category, status: int = 200):
        context = {
            "form": form,
            "category": category,
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        category = _or_404(category_get(pk=pk))
        initial = {n: getattr(category, n) for n in CategoryForm.base_fields}
        return self.render_form(request, CategoryForm(initial=initial), category)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        category = _or_404(category_get(pk=pk))
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                category_update(category=category, data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Category %(name)s saved.") % {"name": category})
                return redirect("catalog:category-list")
        return self.render_form(request, form, category, status=400)


class BrandListView(CapabilityRequiredMixin, View):
    template_name = "catalog/brand_list.html"

    def render_list(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "brands": brand_list(),
            "form": form,
            "can_manage": has_capability(request.user, MANAGE),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_list(request, BrandForm())


class BrandCreateView(BrandListView):
    capability = MANAGE

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BrandForm(request.POST)
        if form.is_valid():
            try:
                brand = brand_create(name=form.cleaned_data["name"], actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Brand %(name)s created.") % {"name": brand})
                return redirect("catalog:brand-list")
        return self.render_list(request, form, status=400)


class BrandUpdateView(CapabilityRequiredMixin, View):
    capability = MANAGE
    template_name = "catalog/brand_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        brand: Brand = _or_404(brand_get(pk=pk))
        form = BrandForm(initial={"name": brand.name})
        return render(request, self.template_name, {"form": form, "brand": brand})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        brand: Brand = _or_404(brand_get(pk=pk))
        form = BrandForm(request.POST)
        if form.is_valid():
            try:
                brand_update(brand=brand, name=form.cleaned_data["name"], actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Brand %(name)s saved.") % {"name": brand})
                return redirect("catalog:brand-list")
        return render(request, self.template_name, {"form": form, "brand": brand}, status=400)
