"""Categories, brands and services."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.catalog.models import Category, Service
from guanxi.catalog.services import (
    brand_create,
    category_create,
    category_update,
    service_create,
    service_deactivate,
    service_update,
)
from guanxi.catalog.tests.factories import CategoryFactory, ServiceFactory
from guanxi.core.models import AuditEvent


def test_category_name_follows_the_active_language(db, owner):
    category = category_create(
        name_en="Skin care", name_zh_hans="护肤", name_zh_hant="護膚", actor=owner
    )

    with translation.override("zh-hans"):
        hans = category.name
    with translation.override("zh-hant"):
        hant = category.name
    with translation.override("en"):
        english = category.name

    assert (english, hans, hant) == ("Skin care", "护肤", "護膚")
    assert AuditEvent.objects.filter(object_type="catalog.category").count() == 1


def test_chinese_name_falls_back_to_the_other_script_then_english(db):
    only_hans = CategoryFactory(name_en="Masks", name_zh_hans="面膜", name_zh_hant="")
    only_en = CategoryFactory(name_en="Tools", name_zh_hans="", name_zh_hant="")

    with translation.override("zh-hant"):
        assert (only_hans.name, only_en.name) == ("面膜", "Tools")


def test_category_cannot_be_filed_under_its_own_child(db, owner):
    parent = CategoryFactory(name_en="Parent")
    child = CategoryFactory(name_en="Child", parent=parent)

    with pytest.raises(ValidationError) as raised:
        category_update(category=parent, data={"parent": child}, actor=owner)

    assert "parent" in raised.value.message_dict
    parent.refresh_from_db()
    assert parent.parent is None


def test_same_top_level_name_is_refused(db, owner):
    with pytest.raises(ValidationError):
        category_create(name_en="Cosmetics", actor=owner)  # seeded by the data migration
    assert Category.objects.filter(name_en="Cosmetics").count() == 1


def test_brand_name_is_unique(db, owner):
    brand_create(name="Swisse", actor=owner)

    with pytest.raises(ValidationError):
        brand_create(name=" Swisse ", actor=owner)


def test_service_create_update_deactivate_are_audited(db, owner):
    category = CategoryFactory()

    service = service_create(
        name_en="Hydrating facial",
        name_zh_hans="补水护理",
        category=category,
        duration_minutes=60,
        price=Decimal("298.00"),
        actor=owner,
    )
    service_update(service=service, data={"duration_minutes": 75}, actor=owner)
    service_deactivate(service=service, actor=owner)

    service.refresh_from_db()
    assert (service.duration_minutes, service.is_active) == (75, False)
    assert "bushuihuli" in service.search_text
    actions = list(
        AuditEvent.objects.filter(object_type="catalog.service")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]


def test_service_duration_must_be_positive(db, owner):
    service = ServiceFactory(duration_minutes=30)

    with pytest.raises(ValidationError):
        service_update(service=service, data={"duration_minutes": 0}, actor=owner)

    assert Service.objects.get(pk=service.pk).duration_minutes == 30


def test_unknown_field_is_a_programming_error(db, owner):
    with pytest.raises(TypeError):
        service_update(service=ServiceFactory(), data={"search_text": "x"}, actor=owner)
