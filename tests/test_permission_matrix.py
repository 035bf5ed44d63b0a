"""The permission matrix: no role but the owner ever reaches another store's objects.

Every domain declares, in ``guanxi.<app>.tests.scoping*`` modules:

- ``SCOPED_URLS = {"<url name>": make_object}``: every URL that takes an object id. ``make_object
  (store_b)`` creates an object of store B and returns it (the URL is reversed with
  ``{"pk": obj.pk}``) or returns the URL kwargs as a dict.
- ``LIST_URLS = {"<url name>": make_object}``: every list, search, export or autocomplete URL.
  ``make_object(store_b)`` returns a model instance (its name, phone, e-mail or username is looked
  for in the response) or the marker string itself.
- ``UNSCOPED_URLS = {"<url name>": "<reason>"}``: a URL that takes an id kwarg which names no
  store object (a signed one-time token, say). It is exempt from the declaration check, and only
  with a written reason.

This test walks every URL pattern of the project and fails on an object URL nobody declared.
Then, for each declared object URL, each role but the owner and each HTTP method the view
accepts, a staff member of store A gets 404 and nothing is written. For each declared list URL
and each role, store B's object appears in no response, unfiltered or searched. The owner, who
sees every store, does see it: the same requests are not vacuous.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, StringConverter, UUIDConverter
from django.utils.html import escape

import guanxi
from guanxi.core.audit import snapshot
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role

ROLES = [Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT, Role.MARKETER]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITE_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)
ID_CONVERTERS = (IntConverter, StringConverter, UUIDConverter)  # exact types: not slug or path
# Django's admin is for superusers only (no role has is_staff); test_admin_is_closed_to_roles
# proves that no role reaches it.
EXCLUDED_NAMESPACES = frozenset({"admin"})
MARKER_ATTRIBUTES = ("phone", "email", "username")  # used when unique on the model


# --- Declarations -------------------------------------------------------------------------------


def collect_declarations() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
    """SCOPED_URLS, LIST_URLS and UNSCOPED_URLS of every ``guanxi.<app>.tests.scoping*`` module."""
    scoped: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    unscoped: dict[str, Any] = {}
    duplicates: list[str] = []
    for app in sorted(pkgutil.iter_modules(guanxi.__path__), key=lambda m: m.name):
        if not app.ispkg:
            continue
        package_name = f"guanxi.{app.name}.tests"
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError as exc:
            if exc.name != package_name:
                raise
            continue
        for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not module_info.name.startswith("scoping"):
                continue
            module = importlib.import_module(f"{package_name}.{module_info.name}")
            for target, declared in (
                (scoped, getattr(module, "SCOPED_URLS", {})),
                (lists, getattr(module, "LIST_URLS", {})),
                (unscoped, getattr(module, "UNSCOPED_URLS", {})),
            ):
                for name, make_object in declared.items():
                    if name in target:
                        duplicates.append(f"{name} (again in {module.__name__})")
                    target[name] = make_object
    return scoped, lists, unscoped, duplicates


SCOPED_URLS, LIST_URLS, UNSCOPED_URLS, DUPLICATES = collect_declarations()


# --- The project's URL patterns -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    callback: Any
    kwargs: tuple[str, ...]
    id_kwargs: tuple[str, ...] = field(default=())
    namespaces: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.name or f"<unnamed> /{self.route}"


def _id_kwargs(pattern: Any, converters: dict[str, Any]) -> list[str]:
    names = list(pattern.regex.groupindex)
    found = []
    for name in names:
        converter = converters.get(name)
        if name == "pk" or (converter is not None and type(converter) in ID_CONVERTERS):
            found.append(name)
        elif converter is None and name.endswith(("_pk", "_id")):
            found.append(name)  # a regular-expression group that names an object id
    return found


def walk(
    patterns: list[Any],
    namespaces: tuple[str, ...] = (),
    prefix: str = "",
    converters: dict[str, Any] | None = None,
    kwargs: tuple[str, ...] = (),
    id_kwargs: tuple[str, ...] = (),
) -> list[Route]:
    """Every URL pattern under ``patterns``, with what it inherits from the includes above it."""
    routes = []
    for pattern in patterns:
        own_converters = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        own_kwargs = kwargs + tuple(pattern.pattern.regex.groupindex)
        own_ids = id_kwargs + tuple(_id_kwargs(pattern.pattern, own_converters))
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            routes += walk(pattern.url_patterns, inner, route, own_converters, own_kwargs, own_ids)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            routes.append(
                Route(name, route, pattern.callback, own_kwargs, own_ids, namespaces=namespaces)
            )
    return routes


ROUTES = [
    r for r in walk(get_resolver().url_patterns) if not EXCLUDED_NAMESPACES & set(r.namespaces)
]
ROUTES_BY_NAME = {r.name: r for r in ROUTES if r.name}


def methods_of(route: Route) -> list[str]:
    """The HTTP methods the view accepts; a function view is tried with GET and POST."""
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view_class is None:
        return ["GET", "POST"]
    allowed = getattr(view_class, "http_method_names", [])
    return [m for m in METHODS if m.lower() in allowed and hasattr(view_class, m.lower())]


SCOPED_CASES = [
    pytest.param(name, role, method, id=f"{name}-{role}-{method}")
    for name in sorted(SCOPED_URLS)
    if name in ROUTES_BY_NAME
    for role in ROLES
    for method in methods_of(ROUTES_BY_NAME[name])
]
OWNER_CASES = [
    pytest.param(name, id=name)
    for name in sorted(SCOPED_URLS)
    if name in ROUTES_BY_NAME and "GET" in methods_of(ROUTES_BY_NAME[name])
]
LIST_CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name in sorted(LIST_URLS)
    if name in ROUTES_BY_NAME
    for role in ROLES
]


# --- Helpers --------------------------------------------------------------------------------------


def url_kwargs(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    return {"pk": obj.pk}


def state(obj: Any) -> tuple[int, Any]:
    """What must not change: the number of write audit rows, and the object itself."""
    writes = AuditEvent.objects.filter(action__in=WRITE_ACTIONS).count()
    if not isinstance(obj, models.Model):
        return writes, None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return writes, snapshot(current, mask=False) if current is not None else None


def send(client: Any, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data={})
    return client.generic(method, url, data="{}", content_type="application/json")


def markers(obj: Any) -> list[str]:
    """What identifies the object in a response, in the forms HTML and JSON may write it."""
    if isinstance(obj, str):
        plain = [obj]
    else:
        assert isinstance(obj, models.Model), "LIST_URLS make_object returns a model or a str"
        plain = [str(obj)] + [
            str(getattr(obj, attr))
            for attr in MARKER_ATTRIBUTES
            if getattr(obj, attr, "") and _is_unique_field(obj, attr)
        ]
    plain = [m for m in plain if len(m) >= 6]
    assert plain, f"{obj!r} has no marker of at least 6 characters to look for"
    found = set()
    for marker in plain:
        found |= {marker, escape(marker), json.dumps(marker)[1:-1]}
    return sorted(found)


def _is_unique_field(obj: models.Model, name: str) -> bool:
    """Only a unique value identifies the object (every test store has the same phone)."""
    try:
        return bool(obj._meta.get_field(name).unique)
    except FieldDoesNotExist:  # a property, not a field
        return False


def search_term(obj: Any) -> str:
    """Part of the object's main marker: searching for it finds the object, while the echo of
    the search box does not contain the whole marker."""
    marker = obj if isinstance(obj, str) else str(obj)
    return marker.split()[0] if " " in marker.strip() else marker[: max(4, len(marker) // 2)]


def bodies(client: Any, url_name: str, obj: Any) -> list[tuple[str, int, str]]:
    """The list URL fetched plainly, searched (``q`` and ``search``), and as an htmx partial."""
    url = reverse(url_name)
    term = search_term(obj)
    requests = [
        ("plain", {}, {}),
        ("searched", {"q": term, "search": term}, {}),
        ("htmx", {"q": term, "search": term}, {"HTTP_HX_REQUEST": "true"}),
    ]
    results = []
    for label, params, headers in requests:
        response = client.get(url, params, **headers)
        if getattr(response, "streaming", False):
            content = b"".join(response.streaming_content)
        else:
            content = response.content
        results.append((label, response.status_code, content.decode("utf-8", "replace")))
    return results


# --- Tests ----------------------------------------------------------------------------------------


def test_every_object_url_is_declared():
    # given every URL pattern of the project
    # when looking for those that take an object id
    undeclared = sorted(
        r.label
        for r in ROUTES
        if r.id_kwargs and r.name not in SCOPED_URLS and r.name not in UNSCOPED_URLS
    )
    # then each one is in some app's tests/scoping*.py SCOPED_URLS (or, with a reason, in
    # UNSCOPED_URLS)
    assert undeclared == [], "declare in SCOPED_URLS: " + ", ".join(undeclared)


def test_every_declaration_names_a_url_and_only_once():
    declared = set(SCOPED_URLS) | set(LIST_URLS) | set(UNSCOPED_URLS)
    assert sorted(declared - set(ROUTES_BY_NAME)) == []
    assert DUPLICATES == []
    assert sorted(set(UNSCOPED_URLS) & (set(SCOPED_URLS) | set(LIST_URLS))) == []


def test_unscoped_urls_take_an_id_and_give_a_reason():
    # an exemption is for a URL the declaration check would otherwise fail, and says why
    without_ids = sorted(
        n for n in UNSCOPED_URLS if n in ROUTES_BY_NAME and not ROUTES_BY_NAME[n].id_kwargs
    )
    without_reason = sorted(
        n
        for n, reason in UNSCOPED_URLS.items()
        if not isinstance(reason, str) or len(reason.strip()) < 20
    )
    assert without_ids == []
    assert without_reason == []


def test_list_urls_take_no_object_id():
    with_ids = sorted(n for n in LIST_URLS if n in ROUTES_BY_NAME and ROUTES_BY_NAME[n].kwargs)
    assert with_ids == []


def test_the_matrix_is_not_empty():
    # the collection found the declarations: at least the customers' own page and API routes
    scoped = {p.values[0] for p in SCOPED_CASES}
    listed = {p.values[0] for p in LIST_CASES}
    assert {"customers:customer-detail", "api-customer-detail"} <= scoped
    assert {"customers:customer-list", "api-customer-list"} <= listed


@pytest.mark.parametrize(("url_name", "role", "method"), SCOPED_CASES)
def test_other_stores_object_is_not_found(
    client, store_a, store_b, make_staff, url_name, role, method
):
    # given an object of store B and a staff member of store A
    obj = SCOPED_URLS[url_name](store_b)
    url = reverse(url_name, kwargs=url_kwargs(obj))
    client.force_login(make_staff(role=role, stores=[store_a]))
    before = state(obj)

    # when they try to reach it
    response = send(client, method, url)

    # then it does not exist for them, and nothing was written
    assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
    assert state(obj) == before


@pytest.mark.parametrize("url_name", OWNER_CASES)
def test_owner_reaches_every_stores_object(client, store_b, owner, url_name):
    # given an object of store B
    obj = SCOPED_URLS[url_name](store_b)
    if isinstance(obj, models.Model) and getattr(type(obj), "store_scope", None) is None:
        pytest.skip(f"{type(obj).__name__} is personal, not a store's: the owner does not see it")
    client.force_login(owner)

    # when the owner opens it
    response = client.get(reverse(url_name, kwargs=url_kwargs(obj)))

    # then it is there
    assert response.status_code == 200


@pytest.mark.parametrize(("url_name", "role"), LIST_CASES)
def test_other_stores_object_is_never_listed(client, store_a, store_b, make_staff, url_name, role):
    # given an object of store B and a staff member of store A
    obj = LIST_URLS[url_name](store_b)
    client.force_login(make_staff(role=role, stores=[store_a]))

    # when they list, search and fetch the htmx partial
    leaks = [
        (label, status, marker)
        for label, status, body in bodies(client, url_name, obj)
        for marker in markers(obj)
        if marker in body
    ]

    # then store B's object appears nowhere
    assert leaks == []


@pytest.mark.parametrize("url_name", [p.values[0] for p in LIST_CASES[:: len(ROLES)]])
def test_owner_sees_other_stores_object_in_lists(client, store_b, owner, url_name):
    # given an object of store B
    obj = LIST_URLS[url_name](store_b)
    client.force_login(owner)

    # when the owner lists and searches
    seen = [
        label
        for label, status, body in bodies(client, url_name, obj)
        if status == 200 and any(marker in body for marker in markers(obj))
    ]

    # then the object is there when searched for (and, on a list, unfiltered too)
    assert "searched" in seen


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_closed_to_roles(client, store_a, make_staff, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
