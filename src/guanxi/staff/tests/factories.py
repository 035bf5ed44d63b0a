import factory

from guanxi.core.permissions import Role
from guanxi.staff.models import Store, User


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Store {n}")
    code = factory.Sequence(lambda n: f"s{n:03d}")
    address = "1 Nanjing Road, Shanghai"
    phone = "+862112345678"
    opening_hours = "Mon–Sun 10:00–21:00"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.SALES
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.set(extracted)
