import factory

from guanxi.catalog.models import Brand, Category, PriceList, PriceListItem, Product, Service
from guanxi.catalog.search import catalogue_search_text
from guanxi.catalog.validators import ean13_check_digit
from guanxi.staff.tests.factories import StoreFactory


def ean13(n: int) -> str:
    """A valid EAN-13 barcode (Chinese prefix 690) numbered ``n``."""
    first_twelve = f"690{n:09d}"
    return f"{first_twelve}{ean13_check_digit(first_twelve)}"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name_en = factory.Sequence(lambda n: f"Category {n}")
    name_zh_hans = factory.Sequence(lambda n: f"类别{n}")
    name_zh_hant = factory.Sequence(lambda n: f"類別{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")


class SearchTextFactory(factory.django.DjangoModelFactory):
    """Saves the search text the services would compute."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        brand = getattr(obj, "brand", None)
        codes = [getattr(obj, "sku", ""), getattr(obj, "barcode", "")]
        obj.search_text = catalogue_search_text(
            names=[*obj.names, brand.name if brand else ""], codes=codes
        )
        obj.save()
        return obj


class ProductFactory(SearchTextFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    barcode = factory.Sequence(ean13)
    name_en = factory.Sequence(lambda n: f"Product {n}")
    name_zh_hans = ""
    name_zh_hant = ""
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    price = factory.Sequence(lambda n: f"{100 + n}.00")
    cost = None


class ServiceFactory(SearchTextFactory):
    class Meta:
        model = Service

    name_en = factory.Sequence(lambda n: f"Treatment {n}")
    category = factory.SubFactory(CategoryFactory)
    duration_minutes = 60
    price = "298.00"


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Price list {n}")


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    price = "88.00"
