"""Reads of the organisation-wide catalogue: every staff member sees all of it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from guanxi.catalog.models import Brand, Category, Product, Service
from guanxi.customers.names import search_term_key


def _search(queryset: QuerySet, term: str, codes: tuple[str, ...] = ()) -> QuerySet:
    """Match a code exactly (case aside) or any name in any script, pinyin or initials."""
    term = term.strip()
    if not term:
        return queryset
    condition = Q(search_text__contains=search_term_key(term))
    for code in codes:
        condition |= Q(**{f"{code}__iexact": term})
    return queryset.filter(condition)


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("name_en", "pk")


def category_get(*, pk: int | str) -> Category | None:
    return category_list().filter(pk=pk).first()


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    depth: int

    @property
    def label(self) -> str:
        """The name indented by depth, for a select box."""
        return f"{'— ' * self.depth}{self.category.name}"


def category_tree() -> list[CategoryNode]:
    """Every category in tree order (parents before their children), with its depth."""
    categories = list(Category.objects.order_by("name_en", "pk"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[CategoryNode] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            nodes.append(CategoryNode(category, depth))
            visit(category.pk, depth + 1)

    visit(None, 0)
    return nodes


def brand_list(*, search: str = "") -> QuerySet[Brand]:
    queryset = Brand.objects.order_by("name", "pk")
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip())
    return queryset


def brand_get(*, pk: int | str) -> Brand | None:
    return Brand.objects.filter(pk=pk).first()


def product_list(
    *,
    search: str = "",
    category: Category | None = None,
    brand: Brand | None = None,
    is_active: bool | None = None,
) -> QuerySet[Product]:
    """Products by name; a category includes its sub-categories."""
    queryset = Product.objects.select_related("brand", "category").order_by("name_en", "pk")
    if category is not None:
        queryset = queryset.filter(Q(category=category) | Q(category__parent=category))
    if brand is not None:
        queryset = queryset.filter(brand=brand)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return _search(queryset, search, codes=("sku", "barcode"))


def product_get(*, pk: int | str) -> Product | None:
    return Product.objects.select_related("brand", "category__parent").filter(pk=pk).first()


def product_find_by_code(*, code: str) -> Product | None:
    """The product with this SKU or barcode (a scanner types the barcode), else ``None``."""
    code = "".join(code.split())
    if not code:
        return None
    return (
        Product.objects.select_related("brand", "category")
        .filter(Q(sku__iexact=code) | Q(barcode=code))
        .first()
    )


def service_list(
    *, search: str = "", category: Category | None = None, is_active: bool | None = None
) -> QuerySet[Service]:
    queryset = Service.objects.select_related("category").order_by("name_en", "pk")
    if category is not None:
        queryset = queryset.filter(Q(category=category) | Q(category__parent=category))
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return _search(queryset, search)


def service_get(*, pk: int | str) -> Service | None:
    return Service.objects.select_related("category__parent").filter(pk=pk).first()
