import factory

from guanxi.customers.models import Customer, Household, Tag
from guanxi.customers.services.customer import derived_fields
from guanxi.staff.tests.factories import StoreFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer saved directly, with the derived search keys the services would compute."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"王小{n}")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    gender = "female"
    home_store = factory.SubFactory(StoreFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        customer = model_class(*args, **kwargs)
        for name, value in derived_fields(customer).items():
            setattr(customer, name, value)
        customer.save()
        return customer

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tag {n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Household {n}")
    store = factory.SubFactory(StoreFactory)
