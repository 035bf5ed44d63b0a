"""Demo data of the catalogue: about 120 products of brands sold in Chinese beauty and health
shops, a dozen in-store treatments, and a member price list in the first store.

Everything is drawn from the seeder's own random streams, so the same seed gives the same SKUs,
barcodes and prices. Rows get what the services would have written (the search text).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from guanxi.catalog.models import Brand, Category, PriceList, PriceListItem, Product, Service
from guanxi.catalog.search import catalogue_search_text
from guanxi.catalog.validators import ean13_check_digit
from guanxi.core.money import money_round
from guanxi.core.seeding import SeedContext, seeder_register
from guanxi.customers.names import to_traditional

HEALTH, SKIN, MAKEUP, DAILY = "Health products", "Skin care", "Make-up", "Daily use"

# brand -> (SKU prefix, GS1 country prefix of its barcodes, product lines)
# product line: (category, English, simplified Chinese, sizes, price range in CNY)
BRANDS: dict[str, tuple[str, str, list[tuple[str, str, str, tuple[str, ...], tuple[int, int]]]]] = {
    "自然堂": ("CHD", "692", [
        (SKIN, "Snow lotus moisturising cream", "雪域精粹保湿霜", ("50 g",), (128, 198)),
        (SKIN, "Himalayan toner", "喜马拉雅补水爽肤水", ("160 ml", "300 ml"), (89, 159)),
        (SKIN, "Ice-plant cleanser", "冰肌洁面乳", ("120 g",), (59, 89)),
        (SKIN, "Activating essence", "活泉精华液", ("30 ml", "50 ml"), (199, 329)),
        (SKIN, "Sheet mask, hydrating", "补水面膜", ("5 pieces", "10 pieces"), (69, 129)),
        (MAKEUP, "Cushion foundation", "气垫粉底", ("15 g",), (139, 189)),
    ]),
    "百雀羚": ("PCL", "690", [
        (SKIN, "Herbal water and lotion set", "草本水乳套装", ("2 pieces",), (168, 268)),
        (SKIN, "Frosty cream classic", "经典护肤脂", ("80 g",), (15, 29)),
        (SKIN, "Eye cream", "眼霜", ("15 g",), (99, 149)),
        (SKIN, "Whitening serum", "焕亮精华", ("30 ml",), (159, 239)),
        (SKIN, "Sunscreen SPF50", "防晒霜 SPF50", ("50 ml",), (79, 119)),
        (DAILY, "Hand cream", "护手霜", ("50 g", "100 g"), (19, 39)),
    ]),
    "汤臣倍健": ("BYH", "693", [
        (HEALTH, "Protein powder", "蛋白粉", ("450 g", "600 g"), (198, 368)),
        (HEALTH, "Calcium with vitamin D", "钙维生素D", ("100 tablets",), (98, 158)),
        (HEALTH, "Multivitamin for women", "女士多种维生素", ("60 tablets",), (128, 198)),
        (HEALTH, "Fish oil", "鱼油软胶囊", ("100 capsules", "200 capsules"), (158, 298)),
        (HEALTH, "Vitamin C", "维生素C片", ("100 tablets",), (59, 99)),
        (HEALTH, "Probiotic powder", "益生菌粉", ("30 sachets",), (168, 258)),
    ]),
    "Swisse": ("SWS", "931", [
        (HEALTH, "Liver detox", "奶蓟草护肝片", ("120 tablets",), (198, 298)),
        (HEALTH, "Collagen liquid", "胶原蛋白口服液", ("500 ml",), (228, 328)),
        (HEALTH, "Calcium and vitamin D", "钙加维生素D", ("150 tablets",), (128, 188)),
        (HEALTH, "Hair, skin and nails", "胶原蛋白片", ("100 tablets",), (168, 248)),
        (HEALTH, "Grape seed", "葡萄籽片", ("180 tablets",), (188, 268)),
        (HEALTH, "Cranberry", "蔓越莓胶囊", ("30 capsules", "90 capsules"), (118, 228)),
    ]),
    "欧莱雅": ("LOR", "360", [
        (SKIN, "Revitalift cream", "复颜抗皱紧致霜", ("50 ml",), (219, 299)),
        (SKIN, "Hyaluronic acid serum", "玻尿酸精华", ("30 ml", "50 ml"), (259, 399)),
        (SKIN, "Micellar water", "卸妆水", ("400 ml",), (79, 129)),
        (SKIN, "Men's cleanser", "男士洁面", ("100 ml",), (49, 79)),
        (MAKEUP, "Lipstick", "口红", ("3.7 g",), (129, 169)),
        (DAILY, "Shampoo, repair", "修护洗发露", ("400 ml", "700 ml"), (49, 89)),
    ]),
    "兰蔻": ("LAN", "361", [
        (SKIN, "Génifique serum", "小黑瓶精华", ("30 ml", "50 ml", "100 ml"), (760, 1580)),
        (SKIN, "Absolue cream", "菁纯面霜", ("60 ml",), (2200, 2800)),
        (SKIN, "Tonique confort", "粉水", ("200 ml", "400 ml"), (320, 580)),
        (SKIN, "Eye cream", "发光眼霜", ("15 ml",), (580, 720)),
        (MAKEUP, "Teint Idole foundation", "持妆粉底液", ("30 ml",), (450, 560)),
        (MAKEUP, "L'Absolu Rouge lipstick", "菁纯口红", ("3.4 g",), (320, 380)),
    ]),
    "雅诗兰黛": ("EL", "027", [
        (SKIN, "Advanced Night Repair", "特润修护肌活精华露", ("30 ml", "50 ml", "100 ml"), (660, 1550)),  # noqa: E501
        (SKIN, "Revitalizing Supreme cream", "多效智妍面霜", ("50 ml",), (720, 980)),
        (SKIN, "Micro essence", "微精华原生液", ("200 ml",), (780, 980)),
        (SKIN, "Eye concentrate", "抗蓝光眼霜", ("15 ml",), (520, 690)),
        (MAKEUP, "Double Wear foundation", "持妆粉底液", ("30 ml",), (420, 520)),
        (MAKEUP, "Pure Color lipstick", "倾慕口红", ("3.5 g",), (300, 360)),
    ]),
    "云南白药": ("YNB", "695", [
        (DAILY, "Toothpaste, mint", "薄荷牙膏", ("120 g", "180 g"), (29, 49)),
        (DAILY, "Anti-hair-loss shampoo", "养元青洗发水", ("400 ml",), (69, 99)),
        (DAILY, "Mouthwash", "漱口水", ("500 ml",), (39, 59)),
        (DAILY, "Toothpaste, whitening", "美白牙膏", ("120 g",), (35, 55)),
        (HEALTH, "Plaster for aches", "创可贴止痛膏", ("10 pieces",), (25, 39)),
    ]),
    "片仔癀": ("PZH", "694", [
        (SKIN, "Pearl cream", "珍珠霜", ("25 g",), (49, 89)),
        (SKIN, "Soothing mask", "舒缓面膜", ("5 pieces",), (99, 139)),
        (DAILY, "Toothpaste, herbal", "草本牙膏", ("85 g",), (29, 45)),
        (SKIN, "Pearl essence water", "珍珠精华水", ("120 ml",), (129, 169)),
        (SKIN, "Night cream", "晚霜", ("30 g",), (139, 189)),
    ]),
}  # fmt: skip

# (English, simplified Chinese, minutes, price)
TREATMENTS = [
    ("Hydrating facial", "深层补水护理", 60, "298.00"),
    ("Whitening facial", "美白焕肤护理", 75, "398.00"),
    ("Anti-ageing facial", "抗衰紧致护理", 90, "598.00"),
    ("Acne clearing facial", "祛痘净肤护理", 60, "328.00"),
    ("Eye care treatment", "眼部护理", 45, "268.00"),
    ("Full-body aromatherapy massage", "全身精油按摩", 90, "458.00"),
    ("Shoulder and neck massage", "肩颈按摩", 45, "198.00"),
    ("Foot reflexology", "足底按摩", 60, "168.00"),
    ("Scalp care", "头皮护理", 60, "288.00"),
    ("Anti-hair-loss scalp treatment", "防脱头皮疗程", 75, "388.00"),
    ("Back detox treatment", "背部排毒护理", 60, "358.00"),
    ("Brow shaping", "修眉", 30, "88.00"),
]

TREATMENTS_CATEGORY = ("Treatments", "护理项目")
# Every line is also sold as a gift set (beauty) or a two-pack (health): 1.8 times the price.
BUNDLES = {
    HEALTH: ("two-pack", "两件装"),
    SKIN: ("gift set", "礼盒装"),
    MAKEUP: ("gift set", "礼盒装"),
    DAILY: ("two-pack", "两件装"),
}
BUNDLE_FACTOR = Decimal("1.8")
MEMBER_PRICE_LIST = "Member prices"
MEMBER_DISCOUNT = Decimal("0.88")


def _category(name_en: str, name_zh_hans: str = "", parent: Category | None = None) -> Category:
    """A category of the default tree (made by migration), or a new one if it was renamed."""
    category = Category.objects.filter(parent=parent, name_en=name_en).first()
    if category is None:
        category = Category.objects.create(
            parent=parent,
            name_en=name_en,
            name_zh_hans=name_zh_hans,
            name_zh_hant=to_traditional(name_zh_hans),
        )
    return category


def _categories() -> dict[str, Category]:
    cosmetics = _category("Cosmetics", "化妆品")
    return {
        HEALTH: _category(HEALTH, "保健品"),
        SKIN: _category(SKIN, "护肤", cosmetics),
        MAKEUP: _category(MAKEUP, "彩妆", cosmetics),
        DAILY: _category(DAILY, "日用品"),
    }


def _barcode(rng: Any, prefix: str, taken: set[str]) -> str:
    while True:
        first_twelve = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
        code = first_twelve + str(ean13_check_digit(first_twelve))
        if code not in taken:
            taken.add(code)
            return code


def _price(rng: Any, low: int, high: int) -> Decimal:
    """A shop price: whole yuan ending in 8 or 9 (as Chinese shops price)."""
    base = rng.randrange(low, high + 1)
    return Decimal(base - base % 10 + rng.choice((8, 9)))


def products_build(context: SeedContext) -> list[Product]:
    rng = context.rng("catalog.products")
    categories = _categories()
    brands = {b.name: b for b in Brand.objects.bulk_create([Brand(name=n) for n in BRANDS])}
    taken: set[str] = set()
    products = []

    def add(sku: str, prefix: str, brand: Brand, category: str, en: str, zh: str, price: Decimal):
        product = Product(
            sku=sku,
            barcode=_barcode(rng, prefix, taken),
            name_en=f"{brand.name} {en}",
            name_zh_hans=f"{brand.name}{zh}",
            name_zh_hant=to_traditional(f"{brand.name}{zh}"),
            brand=brand,
            category=categories[category],
            price=price,
            cost=money_round(price * Decimal(rng.randrange(35, 66)) / 100),
            # about one product in twenty has been taken off sale
            is_active=rng.random() >= 0.05,
        )
        product.search_text = catalogue_search_text(
            names=[*product.names, brand.name], codes=[product.sku, product.barcode]
        )
        products.append(product)

    for brand_name, (sku_prefix, barcode_prefix, lines) in BRANDS.items():
        brand = brands[brand_name]
        for line_number, (category, name_en, name_zh, sizes, (low, high)) in enumerate(lines, 1):
            step = (high - low) // max(len(sizes), 1)
            price = Decimal(0)
            for size_number, size in enumerate(sizes, 1):
                size_low = low + step * (size_number - 1)
                price = _price(rng, size_low, max(size_low, size_low + step))
                sku = f"{sku_prefix}-{line_number:02d}{size_number}"
                add(
                    sku,
                    barcode_prefix,
                    brand,
                    category,
                    f"{name_en}, {size}",
                    f"{name_zh} {size}",
                    price,
                )
            bundle_en, bundle_zh = BUNDLES[category]
            sku = f"{sku_prefix}-{line_number:02d}B"
            bundle_price = _price(rng, int(price * BUNDLE_FACTOR) - 5, int(price * BUNDLE_FACTOR))
            add(
                sku,
                barcode_prefix,
                brand,
                category,
                f"{name_en}, {bundle_en}",
                f"{name_zh}{bundle_zh}",
                bundle_price,
            )
    return Product.objects.bulk_create(products)


def services_build() -> list[Service]:
    name_en, name_zh = TREATMENTS_CATEGORY
    category = _category(name_en, name_zh)
    services = []
    for treatment_en, treatment_zh, minutes, price in TREATMENTS:
        service = Service(
            name_en=treatment_en,
            name_zh_hans=treatment_zh,
            name_zh_hant=to_traditional(treatment_zh),
            category=category,
            duration_minutes=minutes,
            price=Decimal(price),
        )
        service.search_text = catalogue_search_text(names=service.names)
        services.append(service)
    return Service.objects.bulk_create(services)


def member_price_list_build(
    context: SeedContext, products: list[Product], services: list[Service]
) -> PriceList | None:
    """The first store's member prices: 12% off a few products and treatments this quarter."""
    if not context.stores:
        return None
    rng = context.rng("catalog.price-list")
    price_list = PriceList.objects.create(store=context.stores[0], name=MEMBER_PRICE_LIST)
    start = context.today - datetime.timedelta(days=30)
    end = context.today + datetime.timedelta(days=60)
    on_sale = [p for p in products if p.is_active]
    chosen: list[Product | Service] = [*rng.sample(on_sale, 10), *rng.sample(services, 3)]
    PriceListItem.objects.bulk_create(
        PriceListItem(
            price_list=price_list,
            product=item if isinstance(item, Product) else None,
            service=item if isinstance(item, Service) else None,
            price=money_round(item.price * MEMBER_DISCOUNT),
            valid_from=start,
            valid_to=end,
        )
        for item in chosen
    )
    return price_list


def catalog_seed(context: SeedContext) -> None:
    products = products_build(context)
    services = services_build()
    member_price_list_build(context, products, services)
    context.data["catalog.products"] = products
    context.data["catalog.services"] = services
    context.count("products", len(products))
    context.count("services", len(services))


seeder_register("catalog", 30, catalog_seed)
