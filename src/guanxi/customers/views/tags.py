"""Tag pages: owners and store managers keep the list of tags; staff tag customers from the
customer page (htmx swaps the tag panel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import is_htmx_partial
from guanxi.customers.forms.tags import TagForm
from guanxi.customers.models import Tag
from guanxi.customers.selectors.tags import tag_get, tag_list
from guanxi.customers.services.tags import (
    customer_tag_add,
    customer_tag_remove,
    tag_create,
    tag_delete,
    tag_update,
)
from guanxi.customers.views.customer import (
    CapabilityRequiredMixin,
    _apply_errors,
    customer_or_404,
)

MANAGE = "customers.manage_tags"


def tag_or_404(pk: int) -> Tag:
    tag = tag_get(pk=pk)
    if tag is None:
        raise Http404
    return tag


class TagListView(CapabilityRequiredMixin, View):
    """Every tag with how many of the user's customers carry it, and a form for a new one."""

    capability = MANAGE
    template_name = "customers/tag_list.html"

    def render_list(self, request: HttpRequest, form: TagForm, status: int = 200) -> HttpResponse:
        tags = tag_list(with_counts=True, user=request.user)
        return render(request, self.template_name, {"tags": tags, "form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_list(request, TagForm())


class TagCreateView(TagListView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                tag = tag_create(**form.cleaned_data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Tag %(name)s created.") % {"name": tag})
                return redirect("customers:tag-list")
        return self.render_list(request, form, status=400)


class TagUpdateView(CapabilityRequiredMixin, View):
    capability = MANAGE
    template_name = "customers/tag_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        tag = tag_or_404(pk)
        form = TagForm(initial={"name": tag.name, "colour": tag.colour})
        return render(request, self.template_name, {"form": form, "tag": tag})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        tag = tag_or_404(pk)
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                tag_update(tag=tag, data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Tag %(name)s saved.") % {"name": tag})
                return redirect("customers:tag-list")
        return render(request, self.template_name, {"form": form, "tag": tag}, status=400)


class TagDeleteView(CapabilityRequiredMixin, View):
    capability = MANAGE
    template_name = "customers/tag_confirm_delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        tag = tag_or_404(pk)
        return render(request, self.template_name, {"tag": tag})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        tag = tag_or_404(pk)
        name = str(tag)
        count = tag_delete(tag=tag, actor=request.user)
        messages.success(
            request,
            _("Tag %(name)s deleted; %(count)s customers had it.") % {"name": name, "count": count},
        )
        return redirect("customers:tag-list")


class CustomerTagChangeView(LoginRequiredMixin, View):
    """Add or remove one tag on a customer. htmx gets the tag panel back; a plain form post
    goes back to the customer page."""

    add = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.change")
        tag_pk = request.POST.get("tag", "")
        tag = tag_get(pk=tag_pk) if tag_pk.isdigit() else None
        if tag is None:
            return HttpResponse(_("Choose a tag."), status=400)
        if self.add:
            customer = customer_tag_add(customer=customer, tag=tag, actor=request.user)
        else:
            customer = customer_tag_remove(customer=customer, tag=tag, actor=request.user)
        if not is_htmx_partial(request):
            return redirect("customers:customer-detail", pk=customer.pk)
        customer_tags = list(customer.tags.order_by("name"))
        context = {
            "customer": customer,
            "customer_tags": customer_tags,
            "available_tags": [t for t in tag_list() if t not in customer_tags],
            "can_change": True,
        }
        return render(request, "customers/partials/_customer_tags.html", context)


class CustomerTagAddView(CustomerTagChangeView):
    add = True


class CustomerTagRemoveView(CustomerTagChangeView):
    add = False
