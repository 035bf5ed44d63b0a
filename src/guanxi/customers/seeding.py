"""Demo data of the customers domain: N members spread over the stores, fast enough for millions.

Faker is only used to fill name pools once; rows are then combined from the pools with seeded
random streams, column by column, and inserted in batches of multi-row INSERTs. Phones are drawn
without replacement from the number space of real CN mobile prefixes, so they are unique without
a single query.

Each customer comes with what the services would have written: the derived search keys, tags,
consent records (and the cached consent flags), skin and health data under a sensitive-data
consent, a referrer for referrals, households of 2–4 members of one store, and the completeness
score the completeness service gives. Each kind of detail draws from its own random stream, so
adding one never changes the others.
"""

from __future__ import annotations

import collections
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from django.db import connection, models

from guanxi.core.permissions import Role
from guanxi.core.seeding import HISTORY_DAYS, SeedContext, explicit_timestamps, seeder_register
from guanxi.customers import names
from guanxi.customers.choices import (
    Channel,
    ConsentPurpose,
    ConsentSource,
    Gender,
    IncomeBand,
    SkinConcern,
    SkinType,
    Source,
    TagColour,
)
from guanxi.customers.models import ConsentEvent, Customer, Household, SensitiveProfile, Tag
from guanxi.customers.services.completeness import (
    completeness_score,
    completeness_weights,
    customer_completeness_refresh,
)

# Mobile prefixes of China Mobile, China Unicom, China Telecom and China Broadnet.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "145", "147", "149", "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "172", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "190", "191", "192", "193", "195", "196", "197", "198", "199",
)  # fmt: skip
SUBSCRIBER_NUMBERS = 10**8

LOCALES = ("zh_CN", "zh_TW", "en_US")
LOCALE_WEIGHTS = (0.86, 0.11, 0.03)
GENDERS = (Gender.FEMALE, Gender.MALE, Gender.OTHER, Gender.UNKNOWN)
GENDER_WEIGHTS = (0.74, 0.22, 0.01, 0.03)  # beauty and health: mostly women

# Names drawn from Faker per locale and kind, keeping its frequencies: up to 3,000 of each (about
# 9 million first × last combinations per locale), fewer for a small demo.
POOL_SIZE = 3_000
BIRTHDAY_SHARE = 0.85
EMAIL_SHARE = 0.40
ASSIGNED_SHARE = 0.92  # the rest has no responsible staff member yet
OPENING_SECONDS = (10 * 3600, 21 * 3600 + 1800)  # members register during opening hours
# Reserved domains (RFC 2606): demo data must never reach a real mailbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True)
class NamePools:
    last: Sequence[str]
    female: Sequence[str]
    male: Sequence[str]
    user_names: Sequence[str]
    western: bool  # "First Last" rather than family name first without a space


def name_pools(context: SeedContext) -> dict[str, NamePools]:
    size = min(POOL_SIZE, max(200, context.customers // 10))
    pools = {}
    for locale in LOCALES:
        fake = context.faker(locale, "customers")
        pools[locale] = NamePools(
            last=[fake.last_name() for _ in range(size)],
            female=[fake.first_name_female() for _ in range(size)],
            male=[fake.first_name_male() for _ in range(size)],
            user_names=[fake.user_name() for _ in range(size)],
            western=locale == "en_US",
        )
    return pools


def years_ago(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def phone_numbers(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct mobile numbers in E.164 form (+861[3-9]…)."""
    space = len(MOBILE_PREFIXES) * SUBSCRIBER_NUMBERS
    return [
        f"+86{MOBILE_PREFIXES[n // SUBSCRIBER_NUMBERS]}{n % SUBSCRIBER_NUMBERS:08d}"
        for n in rng.sample(range(space), count)
    ]


def registration_times(
    rng: random.Random, count: int, start_of_today: datetime.datetime
) -> list[datetime.datetime]:
    """``count`` moments over the last three years, oldest first, more of them lately."""
    low, high = OPENING_SECONDS
    offsets = sorted(
        -(1 + int((1 - rng.random() ** 0.8) * HISTORY_DAYS)) * 86_400 + rng.randint(low, high)
        for _ in range(count)
    )
    return [start_of_today + datetime.timedelta(seconds=offset) for offset in offsets]


# --- Profile: address, occupation, preferences ----------------------------------------------

# Where a store's members live: the store's city (store codes start with the city code).
# fmt: off
AREAS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "SH": ("上海市", "上海", ("静安区", "徐汇区", "浦东新区", "长宁区"), ("南京西路", "淮海中路", "世纪大道", "愚园路")),
    "BJ": ("北京市", "北京", ("朝阳区", "海淀区", "东城区", "西城区"), ("建国路", "中关村大街", "东四十条", "金融大街")),
    "GZ": ("广东省", "广州", ("天河区", "越秀区", "海珠区", "番禺区"), ("天河路", "中山五路", "江南大道", "市桥路")),
    "SZ": ("广东省", "深圳", ("福田区", "南山区", "罗湖区", "宝安区"), ("深南大道", "科技园路", "人民南路", "新安路")),
    "HZ": ("浙江省", "杭州", ("上城区", "西湖区", "拱墅区", "滨江区"), ("延安路", "文三路", "莫干山路", "江南大道")),
    "CD": ("四川省", "成都", ("锦江区", "武侯区", "青羊区", "高新区"), ("红星路", "人民南路", "宽窄巷子", "天府大道")),
    "NJ": ("江苏省", "南京", ("秦淮区", "鼓楼区", "玄武区", "建邺区"), ("中山南路", "湖南路", "北京东路", "江东中路")),
    "WH": ("湖北省", "武汉", ("江汉区", "武昌区", "洪山区", "江岸区"), ("解放大道", "中南路", "珞喻路", "沿江大道")),
    "XA": ("陕西省", "西安", ("雁塔区", "碑林区", "莲湖区", "未央区"), ("小寨东路", "南大街", "劳动路", "凤城八路")),
    "CQ": ("重庆市", "重庆", ("渝中区", "江北区", "南岸区", "渝北区"), ("民族路", "建新北路", "南坪正街", "新牌坊")),
    "SU": ("江苏省", "苏州", ("姑苏区", "工业园区", "吴中区", "虎丘区"), ("观前街", "星海街", "东吴北路", "狮山路")),
    "TJ": ("天津市", "天津", ("和平区", "南开区", "河西区", "河东区"), ("南京路", "鞍山西道", "友谊路", "十一经路")),
    "XM": ("福建省", "厦门", ("思明区", "湖里区", "集美区", "海沧区"), ("中山路", "湖滨南路", "嘉禾路", "集美大道")),
    "QD": ("山东省", "青岛", ("市南区", "市北区", "崂山区", "李沧区"), ("香港中路", "辽宁路", "海尔路", "京口路")),
    "TP": ("台湾省", "台北", ("信义区", "大安区", "中山区", "松山区"), ("松高路", "忠孝东路", "南京东路", "民生东路")),
    "HK": ("香港特别行政区", "香港", ("湾仔区", "中西区", "油尖旺区", "东区"), ("轩尼诗道", "德辅道中", "弥敦道", "英皇道")),
}
# fmt: on
OCCUPATIONS = (
    "教师",
    "医生",
    "护士",
    "会计",
    "销售经理",
    "设计师",
    "工程师",
    "公务员",
    "律师",
    "自由职业",
    "全职妈妈",
    "企业主",
    "行政",
    "人力资源",
    "Marketing manager",
    "Teacher",
    "Engineer",
)  # fmt: skip
HOBBIES = (
    "瑜伽", "旅行", "烘焙", "读书", "跑步", "摄影", "插花", "茶艺", "书法", "游泳", "烹饪", "健身",
    "Yoga", "Hiking", "Photography", "Tennis",
)  # fmt: skip
INCOME_BANDS = tuple(value for value in IncomeBand.values if value)
INCOME_WEIGHTS = (0.12, 0.30, 0.33, 0.18, 0.07)
CHANNELS = tuple(Channel.values)
CHANNEL_WEIGHTS = (0.30, 0.12, 0.40, 0.15, 0.03)
# How often each optional field is filled in, on average: one "effort" draw per member scales
# every share, so that some members fill in much and others little, and completeness spreads.
CITY_SHARE, DISTRICT_SHARE, STREET_SHARE = 0.60, 0.45, 0.30
OCCUPATION_SHARE, INCOME_SHARE, HOBBIES_SHARE, CHANNEL_SHARE = 0.40, 0.25, 0.30, 0.50
SOURCES = (Source.STORE, Source.EVENT, Source.WEB, Source.IMPORT)
SOURCE_WEIGHTS = (0.62, 0.14, 0.10, 0.14)
REFERRAL_SHARE = 0.05
EXTERNAL_ID_SHARE = 0.6  # of imported members: their number in the old POS

# --- Tags, consent, skin and health, households ---------------------------------------------

TAGS = (
    ("VIP潜力", TagColour.RED, 0.10),
    ("敏感肌", TagColour.YELLOW, 0.08),
    ("团购", TagColour.CYAN, 0.06),
    ("Referral", TagColour.GREEN, 0.05),
    ("老顾客", TagColour.BLUE, 0.12),
    ("抗衰老", TagColour.GREY, 0.07),
    ("学生", TagColour.GREY, 0.04),
    ("Corporate", TagColour.BLUE, 0.03),
    ("生日礼已领", TagColour.GREEN, 0.06),
    ("WeChat group", TagColour.CYAN, 0.09),
)
TAGGED_SHARE = 0.35
# Marketing consent given at registration, per channel (e-mail only with an address).
MARKETING_SHARE = 0.65
CHANNEL_CONSENT = {
    Channel.SMS: 0.80, Channel.WECHAT: 0.70, Channel.PHONE: 0.35, Channel.EMAIL: 0.60,
    Channel.MAIL: 0.25,
}  # fmt: skip
WITHDRAWN_SHARE = 0.06  # of each grant: withdrawn later
SENSITIVE_SHARE = 0.30
PROFILE_SHARE = 0.55  # of those with sensitive-data consent: skin and health data on file
CONSENT_SOURCES = {
    Source.STORE: ConsentSource.STORE,
    Source.EVENT: ConsentSource.FORM,
    Source.WEB: ConsentSource.WEB,
    Source.IMPORT: ConsentSource.IMPORT,
    Source.REFERRAL: ConsentSource.STORE,
}
SKIN_TYPES = tuple(value for value in SkinType.values if value)
SKIN_CONCERNS = tuple(SkinConcern.values)
HEALTH_NOTES = (
    "孕期，避免视黄醇和精油", "对酒精过敏", "高血压，按摩力度要轻", "湿疹，手部", "玫瑰痤疮",
    "Allergic to fragrance", "On isotretinoin until June", "对花粉过敏", "甲状腺疾病，服药中",
)  # fmt: skip
HEALTH_NOTES_SHARE = 0.40
HOUSEHOLD_SHARE = 0.08
MAX_PARAMETERS = 30_000  # SQLite allows 32,766 parameters in one statement
HOUSEHOLD_SIZES = (2, 3, 4)
HOUSEHOLD_SIZE_WEIGHTS = (0.55, 0.30, 0.15)


@dataclass
class Extras:
    """What a batch of customers brings along, by position in the batch: written once the
    customers have their primary keys."""

    tags: list[tuple[int, int]] = field(default_factory=list)  # (offset, tag pk)
    consent: list[tuple[int, str, bool, datetime.datetime, str, int | None]] = field(
        default_factory=list
    )  # (offset, purpose, granted, at, source, recorded by)
    profiles: list[tuple[int, str, list[str], str]] = field(default_factory=list)
    referrals: list[tuple[int, int]] = field(default_factory=list)  # (offset, referrer index)
    households: list[Household] = field(default_factory=list)  # opened in this batch
    members: list[tuple[int, Household]] = field(default_factory=list)  # (offset, household)


class CustomerRows:
    """Generates the customers batch by batch from pools and seeded streams."""

    def __init__(self, context: SeedContext, tag_pks: Sequence[int]) -> None:
        self.context = context
        self.rng = context.rng("customers")
        self.profile_rng = context.rng("customers.profile")
        self.consent_rng = context.rng("customers.consent")
        self.pools = name_pools(context)
        self.phones = phone_numbers(context.rng("customers.phones"), context.customers)
        self.created = registration_times(
            context.rng("customers.created"), context.customers, context.start_of_today
        )
        today = context.today
        self.birthday_first = years_ago(today, 76).toordinal() + 1  # aged at most 75
        self.birthday_last = years_ago(today, 18).toordinal()  # aged at least 18
        self.stores = list(context.stores)
        store_weights = [self.rng.uniform(0.7, 1.3) for _ in self.stores]
        store_weights[0] *= 1.6  # the flagship
        self.store_cumulative = list(accumulate(store_weights))
        by_store = context.data.get("staff.by_store", {})
        # Sales staff look after most members, the store manager after a few.
        self.responsible = [
            [u.pk for u in by_store.get(s.pk, []) if u.role == Role.SALES] * 6
            + [u.pk for u in by_store.get(s.pk, []) if u.role == Role.STORE_MANAGER]
            for s in self.stores
        ]
        self.areas = [AREAS.get(s.code[:2], AREAS["SH"]) for s in self.stores]
        self.tag_pks = list(tag_pks)
        self.tag_weights = [weight for _name, _colour, weight in TAGS]
        self.household_rng = context.rng("customers.households")
        self.weights = completeness_weights()
        # The primary key of each customer by index, once inserted (referrers name them).
        self.pks: list[int] = []
        # Per store, the household still taking members: [household, places left, members,
        # index of its first member].
        self.open_households: list[list[Any] | None] = [None for _ in self.stores]
        self.household_count = 0
        self.members_of_store: list[list[int]] = [[] for _ in self.stores]
        self.keys: dict[str, tuple[str, str]] = {}
        self.consent_count = self.profile_count = 0

    def name_keys(self, full_name: str) -> tuple[str, str]:
        """``(name_key, search_key)`` as the services compute them, once per distinct name
        (romanisation is the slow part of seeding)."""
        keys = self.keys.get(full_name)
        if keys is None:
            keys = self.keys[full_name] = (names.name_key(full_name), names.search_key(full_name))
        return keys

    def batch(self, start: int, size: int, extras: Extras) -> list[Customer]:
        rng = self.rng
        locales = rng.choices(LOCALES, cum_weights=list(accumulate(LOCALE_WEIGHTS)), k=size)
        genders = rng.choices(GENDERS, cum_weights=list(accumulate(GENDER_WEIGHTS)), k=size)
        stores = rng.choices(range(len(self.stores)), cum_weights=self.store_cumulative, k=size)
        span = self.birthday_last - self.birthday_first
        rows = []
        for offset in range(size):
            index = start + offset
            pools = self.pools[locales[offset]]
            gender = genders[offset]
            female = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
            first = rng.choice(pools.female if female else pools.male)
            last = rng.choice(pools.last)
            full_name = f"{first} {last}" if pools.western else f"{last}{first}"
            birthday = None
            if rng.random() < BIRTHDAY_SHARE:
                age_share = rng.triangular(0.0, 1.0, 0.35)  # most members are 30 to 45
                birthday = datetime.date.fromordinal(self.birthday_last - int(age_share * span))
            email = ""
            if rng.random() < EMAIL_SHARE:
                if not pools.western and rng.random() < 0.45:
                    local = str(rng.randrange(10_000_000, 3_999_999_999))  # a QQ number
                else:
                    local = f"{rng.choice(pools.user_names)}{rng.randrange(100)}"
                email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
            store_index = stores[offset]
            candidates = self.responsible[store_index]
            responsible = (
                rng.choice(candidates) if candidates and rng.random() < ASSIGNED_SHARE else None
            )
            created_at = self.created[index]
            phone = self.phones[index]
            name_key, search_key = self.name_keys(full_name)
            customer = Customer(
                full_name=full_name,
                name_key=name_key,
                search_key=search_key,
                gender=gender,
                birthday=birthday,
                birth_month=birthday.month if birthday else None,
                phone=phone,
                phone_last4=phone[-4:],
                email=email,
                home_store_id=self.stores[store_index].pk,
                responsible_staff_id=responsible,
                created_at=created_at,
                updated_at=created_at,
            )
            self.profile(customer, store_index, offset, index, extras)
            self.consent(customer, offset, extras)
            self.tag(offset, extras)
            self.household(customer, store_index, offset, index, last, extras)
            rows.append(customer)
            self.members_of_store[store_index].append(index)
        return rows

    def profile(
        self, customer: Customer, store_index: int, offset: int, index: int, extras: Extras
    ) -> None:
        """The optional master data, filled in more by some members than by others, and where
        they came from (a referral names an earlier member of the same store)."""
        rng = self.profile_rng
        effort = rng.uniform(0.3, 1.7)
        province, city, districts, streets = self.areas[store_index]
        if rng.random() < CITY_SHARE * effort:
            customer.province, customer.city = province, city
            if rng.random() < DISTRICT_SHARE / CITY_SHARE:
                customer.district = rng.choice(districts)
                if rng.random() < STREET_SHARE / DISTRICT_SHARE:
                    customer.street = f"{rng.choice(streets)}{rng.randrange(1, 1200)}号"
        if rng.random() < OCCUPATION_SHARE * effort:
            customer.occupation = rng.choice(OCCUPATIONS)
        if rng.random() < INCOME_SHARE * effort:
            customer.income_band = rng.choices(INCOME_BANDS, weights=INCOME_WEIGHTS)[0]
        if rng.random() < HOBBIES_SHARE * effort:
            customer.hobbies = "、".join(rng.sample(HOBBIES, rng.choice((1, 1, 2, 3))))
        if rng.random() < CHANNEL_SHARE * effort:
            customer.preferred_channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        earlier = self.members_of_store[store_index]
        if earlier and rng.random() < REFERRAL_SHARE:
            customer.source = Source.REFERRAL
            referrer = rng.choice(earlier)
            if referrer < len(self.pks):  # inserted with an earlier batch
                customer.referrer_id = self.pks[referrer]
            else:  # in this batch: set once it is inserted
                extras.referrals.append((offset, referrer))
        else:
            customer.source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
            if customer.source == Source.IMPORT and rng.random() < EXTERNAL_ID_SHARE:
                customer.external_id = f"POS-{index + 100_000:07d}"

    def consent(self, customer: Customer, offset: int, extras: Extras) -> None:
        """Consent given at registration (channels and the separate sensitive-data consent),
        some of it withdrawn later; the cached booleans follow the latest record."""
        rng = self.consent_rng
        registered = customer.created_at
        source = CONSENT_SOURCES[customer.source]
        recorder = (
            None
            if source in (ConsentSource.WEB, ConsentSource.IMPORT)
            else (customer.responsible_staff_id)
        )
        at = registered + datetime.timedelta(seconds=rng.randrange(30, 900))
        granted: list[str] = []
        if rng.random() < MARKETING_SHARE:
            for channel, share in CHANNEL_CONSENT.items():
                if channel == Channel.EMAIL and not customer.email:
                    continue
                if channel == Channel.MAIL and not customer.street:
                    continue
                if rng.random() < share:
                    granted.append(channel)
        if rng.random() < SENSITIVE_SHARE:
            granted.append(ConsentPurpose.SENSITIVE)
            if rng.random() < PROFILE_SHARE:
                concerns = rng.sample(SKIN_CONCERNS, rng.choice((1, 1, 2, 3)))
                note = rng.choice(HEALTH_NOTES) if rng.random() < HEALTH_NOTES_SHARE else ""
                extras.profiles.append((offset, rng.choice(SKIN_TYPES), concerns, note))
        limit = self.context.start_of_today
        for purpose in granted:
            extras.consent.append((offset, purpose, True, at, source, recorder))
            setattr(customer, f"consent_{purpose}", True)
            if purpose != ConsentPurpose.SENSITIVE and rng.random() < WITHDRAWN_SHARE:
                later = at + datetime.timedelta(days=rng.randrange(20, 500), hours=2)
                if later < limit:
                    extras.consent.append(
                        (offset, purpose, False, later, ConsentSource.PHONE, recorder)
                    )
                    setattr(customer, f"consent_{purpose}", False)

    def household(
        self,
        customer: Customer,
        store_index: int,
        offset: int,
        index: int,
        family: str,
        extras: Extras,
    ) -> None:
        """About ``HOUSEHOLD_SHARE`` of the members join a household of their store: the first
        one opens it (named after their family name) for 2–4 members, later ones fill it."""
        rng = self.household_rng
        if rng.random() >= HOUSEHOLD_SHARE:
            return
        current = self.open_households[store_index]
        if current is None:
            household = Household(
                name=f"The {family} family" if family.isascii() else f"{family}家",
                store_id=self.stores[store_index].pk,
                created_at=customer.created_at,
                updated_at=customer.created_at,
            )
            extras.households.append(household)
            self.household_count += 1
            size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SIZE_WEIGHTS)[0]
            current = self.open_households[store_index] = [household, size, 0, index]
        extras.members.append((offset, current[0]))
        current[1] -= 1
        current[2] += 1
        if current[1] == 0:
            self.open_households[store_index] = None

    def households_close(self) -> None:
        """A household still open at the end with its first member only gets a second one: the
        store's newest member in no household. In a store with no such member, the first one
        leaves and the household goes (nothing else refers to it yet)."""
        for current in self.open_households:
            if current is None or current[2] > 1:
                continue
            household, _left, _members, first = current
            first_pk = self.pks[first]
            second = (
                Customer.objects.filter(home_store_id=household.store_id, household__isnull=True)
                .exclude(pk=first_pk)
                .order_by("-pk")
                .first()
            )
            if second is not None:
                Customer.objects.filter(pk=second.pk).update(household=household)
                second.household_id = household.pk
                customer_completeness_refresh(customer=second)
                continue
            Customer.objects.filter(pk=first_pk).update(household=None)
            customer_completeness_refresh(customer=Customer.objects.get(pk=first_pk))
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {quote(Household._meta.db_table)} WHERE id = %s",  # noqa: S608 - model's table
                    [household.pk],
                )
            self.household_count -= 1
        self.open_households = [None for _ in self.stores]

    def tag(self, offset: int, extras: Extras) -> None:
        rng = self.consent_rng
        if self.tag_pks and rng.random() < TAGGED_SHARE:
            chosen = {rng.choices(self.tag_pks, weights=self.tag_weights)[0]}
            while rng.random() < 0.35 and len(chosen) < len(self.tag_pks):
                chosen.add(rng.choices(self.tag_pks, weights=self.tag_weights)[0])
            extras.tags.extend((offset, pk) for pk in sorted(chosen))


def _insert_rows(
    model: type[Any], columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """A plain multi-row INSERT of ``values`` (tuples in the order of ``columns``).

    At a million customers and two million consent records, letting ``bulk_create`` prepare
    every value of every row costs more than the database does; here only the columns whose
    values need converting (dates, times, JSON) are prepared.
    """
    if not values:
        return
    fields = [model._meta.get_field(name) for name in columns]
    prepared = [
        (i, f) for i, f in enumerate(fields) if isinstance(f, models.DateField | models.JSONField)
    ]
    if prepared:
        converted = []
        for row in values:
            row = list(row)
            for i, f in prepared:
                row[i] = f.get_db_prep_save(row[i], connection)
            converted.append(tuple(row))
        values = converted
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names from the models
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    # Many rows per statement (as bulk_create does), within SQLite's limit of parameters.
    per_statement = max(1, min(1000, MAX_PARAMETERS // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            cursor.execute(
                head + ", ".join([placeholders] * len(chunk)),
                [value for row in chunk for value in row],
            )


def _insert_batch(rows: CustomerRows, customers: list[Customer], extras: Extras) -> list[Any]:
    """Insert one batch of customers and what hangs on them; the referrals whose referrer is in
    this same batch are returned as (customer pk, referrer pk), to be set afterwards."""
    Household.objects.bulk_create(extras.households)
    for offset, household in extras.members:
        customers[offset].household_id = household.pk
    tag_counts = collections.Counter(offset for offset, _tag in extras.tags)
    for offset, customer in enumerate(customers):
        customer.completeness = completeness_score(
            customer, rows.weights, tag_count=tag_counts[offset]
        )
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    _insert_rows(
        Customer,
        [f.name for f in fields],
        [tuple(getattr(c, f.attname) for f in fields) for c in customers],
    )
    # Phones are unique: they give the new rows' primary keys back, on every database.
    pk_of = dict(
        Customer.objects.filter(phone__in=[c.phone for c in customers]).values_list("phone", "pk")
    )
    for customer in customers:
        customer.pk = pk_of[customer.phone]
    pks = [c.pk for c in customers]
    rows.pks.extend(pks)
    _insert_rows(
        Customer.tags.through,
        ("customer", "tag"),
        [(pks[offset], tag) for offset, tag in extras.tags],
    )
    _insert_rows(
        ConsentEvent,
        ("customer", "purpose", "granted", "recorded_at", "source", "recorded_by", "note"),
        [
            (pks[offset], purpose, granted, at, source, recorder, "")
            for offset, purpose, granted, at, source, recorder in extras.consent
        ],
    )
    _insert_rows(
        SensitiveProfile,
        ("customer", "skin_type", "skin_concerns", "health_notes", "created_at", "updated_at"),
        [
            (
                pks[offset],
                skin_type,
                concerns,
                note,
                customers[offset].created_at,
                customers[offset].created_at,
            )
            for offset, skin_type, concerns, note in extras.profiles
        ],
    )
    rows.consent_count += len(extras.consent)
    rows.profile_count += len(extras.profiles)
    return [(pks[offset], rows.pks[referrer]) for offset, referrer in extras.referrals]


def _set_column(column: str, pairs: Sequence[tuple[int, int]]) -> None:
    """``UPDATE customer SET column = value WHERE pk = pk`` for many (pk, value) pairs at once."""
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(Customer._meta.db_table)} SET {quote(column)} = %s WHERE id = %s"  # noqa: S608 - constant names
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(value, pk) for pk, value in pairs])


def customers_seed(context: SeedContext) -> None:
    """Create ``context.customers`` customers in the stores the staff seeder made, with their
    tags, consent records, skin and health data, referrers, households and data completeness.

    The completeness score is computed by the completeness service row by row before the
    insert: rewriting a million freshly inserted rows with an UPDATE afterwards takes minutes on
    PostgreSQL (every index of the table is written again).
    """
    if not context.stores:
        raise RuntimeError("The customers seeder needs stores: run the staff seeder first.")
    tags = Tag.objects.bulk_create(
        [Tag(name=name, colour=colour) for name, colour, _weight in TAGS]
    )
    rows = CustomerRows(context, [tag.pk for tag in tags])
    total, step = context.customers, context.batch_size
    referrals: list[tuple[int, int]] = []
    context.progress("customers", 0, total)
    with explicit_timestamps(Customer, SensitiveProfile, Household):
        for start in range(0, total, step):
            extras = Extras()
            customers = rows.batch(start, min(step, total - start), extras)
            referrals += _insert_batch(rows, customers, extras)
            context.progress("customers", start + len(customers), total)
        _set_column("referrer_id", referrals)
        rows.households_close()
    context.count("customers", total)
    context.count("households", rows.household_count)
    context.count("tags", len(tags))
    context.count("consent records", rows.consent_count)
    context.count("skin and health profiles", rows.profile_count)


seeder_register("customers", 20, customers_seed)
