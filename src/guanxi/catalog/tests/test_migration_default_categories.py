"""Migration 0002_default_categories: the default tree forward, and back again."""

import importlib

from django.apps import apps

from guanxi.catalog.models import Category
from guanxi.catalog.tests.factories import ProductFactory

migration = importlib.import_module("guanxi.catalog.migrations.0002_default_categories")


def tree():
    return sorted(
        (c.parent.name_en if c.parent else "", c.name_en, c.name_zh_hans, c.name_zh_hant)
        for c in Category.objects.select_related("parent")
    )


EXPECTED = [
    ("", "Cosmetics", "化妆品", "化妝品"),
    ("", "Daily use", "日用品", "日用品"),
    ("", "Health products", "保健品", "保健品"),
    ("Cosmetics", "Make-up", "彩妆", "彩妝"),
    ("Cosmetics", "Skin care", "护肤", "護膚"),
]


def test_migrated_database_has_the_default_tree(db):
    assert tree() == EXPECTED


def test_backwards_removes_the_tree_and_forwards_puts_it_back(db):
    migration.delete_tree(apps, None)
    assert tree() == []

    migration.create_tree(apps, None)
    migration.create_tree(apps, None)  # running twice adds nothing
    assert tree() == EXPECTED


def test_backwards_keeps_categories_in_use(db):
    skin_care = Category.objects.get(name_en="Skin care")
    ProductFactory(category=skin_care)

    migration.delete_tree(apps, None)

    assert tree() == [
        ("", "Cosmetics", "化妆品", "化妝品"),
        ("Cosmetics", "Skin care", "护肤", "護膚"),
    ]
