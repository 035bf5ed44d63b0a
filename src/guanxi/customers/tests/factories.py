import factory

from guanxi.customers.models import Customer
from guanxi.staff.tests.factories import StoreFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    full_name = factory.Sequence(lambda n: f"王小{n}")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    gender = "female"
    home_store = factory.SubFactory(StoreFactory)
