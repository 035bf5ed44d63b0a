"""Demo data of the staff domain: the organisation, its stores and their staff.

Usernames are predictable so that a demo can be explained in a sentence: ``owner``,
``marketer``, and per store ``manager.sh01``, ``sales1.sh01`` …, ``service.sh01``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from guanxi.core.permissions import Role
from guanxi.core.seeding import (
    HISTORY_DAYS,
    DemoAccount,
    SeedContext,
    explicit_timestamps,
    seeder_register,
)
from guanxi.staff.models import Store, User
from guanxi.staff.selectors import organisation_get

ORGANISATION_NAME = "Guanxi Beauty & Health"
EMAIL_DOMAIN = "guanxi.example"


@dataclass(frozen=True)
class City:
    code: str
    city_zh: str
    city_en: str
    district_zh: str
    district_en: str
    address: str
    phone: str  # E.164 prefix with the area code, e.g. "+8621"
    opening_hours: str
    locale: str = "zh_CN"  # where most of the staff's names come from


# Branches in shopping centres of real cities; the first five make the default demo.
# fmt: off
CITIES: tuple[City, ...] = (
    City("SH", "上海", "Shanghai", "静安", "Jing'an", "上海市静安区南京西路1266号恒隆广场3楼", "+8621", "Mon–Sun 10:00–22:00"),
    City("BJ", "北京", "Beijing", "朝阳", "Chaoyang", "北京市朝阳区建国路87号北京SKP 4楼", "+8610", "Mon–Sun 10:00–22:00"),
    City("GZ", "广州", "Guangzhou", "天河", "Tianhe", "广州市天河区天河路208号天河城2楼", "+8620", "Mon–Sun 10:00–22:00"),
    City("SZ", "深圳", "Shenzhen", "福田", "Futian", "深圳市福田区福华三路268号星河COCO Park 2楼", "+86755", "Mon–Sun 10:00–22:00"),
    City("HZ", "杭州", "Hangzhou", "上城", "Shangcheng", "杭州市上城区延安路258号湖滨银泰in77 B区2楼", "+86571", "Mon–Fri 10:00–21:30, Sat–Sun 10:00–22:00"),
    City("CD", "成都", "Chengdu", "锦江", "Jinjiang", "成都市锦江区红星路三段1号成都国际金融中心3楼", "+8628", "Mon–Sun 10:00–22:00"),
    City("NJ", "南京", "Nanjing", "秦淮", "Qinhuai", "南京市秦淮区中山南路1号新街口百货4楼", "+8625", "Mon–Sun 10:00–21:30"),
    City("WH", "武汉", "Wuhan", "江汉", "Jianghan", "武汉市江汉区解放大道690号武汉国际广场3楼", "+8627", "Mon–Sun 10:00–22:00"),
    City("XA", "西安", "Xi'an", "雁塔", "Yanta", "西安市雁塔区小寨东路126号百隆广场2楼", "+8629", "Mon–Sun 10:00–22:00"),
    City("CQ", "重庆", "Chongqing", "渝中", "Yuzhong", "重庆市渝中区民族路188号环球金融中心3楼", "+8623", "Mon–Sun 10:00–22:00"),
    City("SU", "苏州", "Suzhou", "姑苏", "Gusu", "苏州市姑苏区观前街245号3楼", "+86512", "Mon–Sun 09:30–21:30"),
    City("TJ", "天津", "Tianjin", "和平", "Heping", "天津市和平区南京路189号津汇广场2楼", "+8622", "Mon–Sun 10:00–21:30"),
    City("XM", "厦门", "Xiamen", "思明", "Siming", "厦门市思明区中山路2号3楼", "+86592", "Mon–Sun 10:00–22:00"),
    City("QD", "青岛", "Qingdao", "市南", "Shinan", "青岛市市南区香港中路72号海信广场2楼", "+86532", "Mon–Sun 10:00–21:30"),
    City("TP", "台北", "Taipei", "信义", "Xinyi", "台北市信义区松高路11号2楼", "+8862", "Mon–Sun 11:00–21:30", "zh_TW"),
    City("HK", "香港", "Hong Kong", "铜锣湾", "Causeway Bay", "香港铜锣湾轩尼诗道500号希慎广场5楼", "+852", "Mon–Sun 10:00–22:00", "zh_TW"),
)
# fmt: on

# The staff per store besides the 2–3 sales staff: (username prefix, role).
STORE_ROLES = (("manager", Role.STORE_MANAGER), ("service", Role.SERVICE_AGENT))

# The 2025 CN mobile prefixes of the three carriers, for staff phones (customers use their own).
STAFF_PHONE_PREFIXES = ("135", "136", "137", "138", "139", "186", "187", "188")


def store_specs(count: int) -> list[tuple[City, int]]:
    """(city, branch number) for ``count`` stores: each city once, then second branches …"""
    return [(CITIES[i % len(CITIES)], i // len(CITIES) + 1) for i in range(count)]


def store_build(
    city: City, branch: int, created_at: datetime.datetime, rng: random.Random
) -> Store:
    suffix_zh = "店" if branch == 1 else f"{branch}号店"
    suffix_en = "" if branch == 1 else f" {branch}"
    unit = "" if branch == 1 else f"（{branch}号铺）"
    name_zh = f"{city.city_zh}{city.district_zh}{suffix_zh}"
    name_en = f"{city.city_en} {city.district_en}{suffix_en}"
    return Store(
        name=f"{name_zh} · {name_en}",
        code=f"{city.code}{branch:02d}",
        address=f"{city.address}{unit}",
        phone=f"{city.phone}{rng.randrange(5000_0000, 7000_0000)}",
        opening_hours=city.opening_hours,
        created_at=created_at,
        updated_at=created_at,
    )


class NamePicker:
    """Realistic staff names from Faker pools, mostly from the store's locale."""

    def __init__(self, context: SeedContext) -> None:
        self.rng = context.rng("staff.names")
        self.fakers = {
            locale: context.faker(locale, "staff") for locale in ("zh_CN", "zh_TW", "en_US")
        }

    def pick(self, locale: str, avoid: set[str]) -> tuple[str, str]:
        """(full name, locale), with an occasional colleague from elsewhere. A family name in
        ``avoid`` (already in the team) is drawn again, so a team is not all called Wang."""
        roll = self.rng.random()
        if roll < 0.06:
            locale = "en_US"
        elif roll < 0.14:
            locale = "zh_TW" if locale == "zh_CN" else "zh_CN"
        fake = self.fakers[locale]
        female = self.rng.random() < 0.8  # beauty and health shops are mostly staffed by women
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        for _ in range(10):
            if last not in avoid:
                break
            last = fake.last_name()
        avoid.add(last)
        if locale == "en_US":
            return f"{first} {last}", locale
        return f"{last}{first}", locale


def language_for(locale: str) -> str:
    return {"zh_CN": "zh-hans", "zh_TW": "zh-hant"}.get(locale, "en")


def staff_seed(context: SeedContext) -> None:
    """Create the organisation, ``context.store_count`` stores and their staff."""
    rng = context.rng("staff")
    names = NamePicker(context)
    # The stores open one after another in the year before the customer history begins.
    opened = context.start_of_today - datetime.timedelta(days=HISTORY_DAYS + 365)
    spacing = 365 // context.store_count
    password_hash = make_password(context.password)  # Argon2 is slow: hash once for everyone

    organisation = organisation_get()
    organisation.name = ORGANISATION_NAME
    organisation.save(update_fields=["name", "updated_at"])

    specs = store_specs(context.store_count)
    stores = [
        store_build(city, branch, opened + datetime.timedelta(days=spacing * index), rng)
        for index, (city, branch) in enumerate(specs)
    ]
    with explicit_timestamps(Store):
        Store.objects.bulk_create(stores)
    stores = list(Store.objects.filter(code__in=[s.code for s in stores]).order_by("pk"))

    phones = rng.sample(range(len(STAFF_PHONE_PREFIXES) * 10**8), 2 + 6 * len(specs))
    members: list[tuple[User, Store | None]] = []

    def add(
        username: str,
        role: str,
        locale: str,
        store: Store | None,
        joined: datetime.datetime,
        team: set[str],
    ) -> None:
        full_name, name_locale = names.pick(locale, team)
        number = phones[len(members)]
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            email=f"{username}@{EMAIL_DOMAIN}",
            phone=f"+86{STAFF_PHONE_PREFIXES[number // 10**8]}{number % 10**8:08d}",
            language=language_for(name_locale),
            password=password_hash,
            date_joined=joined,
        )
        members.append((user, store))

    head_office: set[str] = set()  # family names in the team, to draw again
    add("owner", Role.OWNER, "zh_CN", None, opened - datetime.timedelta(days=60), head_office)
    add("marketer", Role.MARKETER, "zh_CN", None, opened + datetime.timedelta(days=45), head_office)
    for (city, _branch), store in zip(specs, stores, strict=True):
        slug = store.code.lower()
        joined = store.created_at - datetime.timedelta(days=14)
        team: set[str] = set()
        add(f"manager.{slug}", Role.STORE_MANAGER, city.locale, store, joined, team)
        for number in range(1, rng.choice((2, 3)) + 1):
            add(f"sales{number}.{slug}", Role.SALES, city.locale, store, joined, team)
        add(f"service.{slug}", Role.SERVICE_AGENT, city.locale, store, joined, team)

    User.objects.bulk_create([user for user, _store in members])
    saved = {
        u.username: u for u in User.objects.filter(username__in=[u.username for u, _ in members])
    }
    memberships = [
        User.stores.through(user_id=saved[user.username].pk, store_id=store.pk)
        for user, store in members
        if store is not None
    ]
    # The owner sees every store anyway; the marketer works for all of them.
    marketer = saved["marketer"]
    memberships += [User.stores.through(user_id=marketer.pk, store_id=s.pk) for s in stores]
    User.stores.through.objects.bulk_create(memberships)

    context.stores.extend(stores)
    context.staff.extend(saved[user.username] for user, _store in members)
    context.data["staff.by_store"] = {
        store.pk: [saved[u.username] for u, s in members if s is not None and s.pk == store.pk]
        for store in stores
    }
    # One login per role to print, from the first store.
    slug = stores[0].code.lower()
    for username in ("owner", f"manager.{slug}", f"sales1.{slug}", f"service.{slug}", "marketer"):
        user = saved[username]
        store_name = stores[0].name if user.role not in (Role.OWNER, Role.MARKETER) else ""
        context.accounts.append(DemoAccount(user.role, user.username, user.full_name, store_name))
    context.count("stores", len(stores))
    context.count("staff members", len(members))
    context.progress("staff", len(members), len(members))


seeder_register("staff", 10, staff_seed)
