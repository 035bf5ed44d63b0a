"""The default category tree a new business starts with; it can be renamed or extended."""

from django.db import migrations

# (English, simplified, traditional, children)
DEFAULT_TREE = [
    ("Health products", "保健品", "保健品", []),
    (
        "Cosmetics",
        "化妆品",
        "化妝品",
        [("Skin care", "护肤", "護膚"), ("Make-up", "彩妆", "彩妝")],
    ),
    ("Daily use", "日用品", "日用品", []),
]


def create_tree(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for name_en, name_zh_hans, name_zh_hant, children in DEFAULT_TREE:
        parent, _created = Category.objects.get_or_create(
            parent=None,
            name_en=name_en,
            defaults={"name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant},
        )
        for child_en, child_zh_hans, child_zh_hant in children:
            Category.objects.get_or_create(
                parent=parent,
                name_en=child_en,
                defaults={"name_zh_hans": child_zh_hans, "name_zh_hant": child_zh_hant},
            )


def delete_tree(apps, schema_editor):
    """Remove the default categories nothing has been filed under yet."""
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    Service = apps.get_model("catalog", "Service")

    def unused(category):
        return (
            not Category.objects.filter(parent=category).exists()
            and not Product.objects.filter(category=category).exists()
            and not Service.objects.filter(category=category).exists()
        )

    for name_en, _hans, _hant, children in DEFAULT_TREE:
        parent = Category.objects.filter(parent=None, name_en=name_en).first()
        if parent is None:
            continue
        for child_en, _child_hans, _child_hant in children:
            child = Category.objects.filter(parent=parent, name_en=child_en).first()
            if child is not None and unused(child):
                child.delete()
        if unused(parent):
            parent.delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalogue")]

    operations = [migrations.RunPython(create_tree, delete_tree)]
