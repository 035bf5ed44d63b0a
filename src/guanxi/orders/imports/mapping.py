"""The columns of an order import and the headers that name them.

A file names its member in one ``customer`` column (a phone number, an external ID or a card
number, told apart automatically) or in separate ``phone`` / ``external_id`` / ``card_number``
columns. Headers are matched in English and in both Chinese scripts, as in the customer import
(whose ``header_key`` and JSON mapping files this module reuses).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.imports.mapping import header_key
from guanxi.customers.imports.reading import ImportFileError

# field -> label, in the order the mapping form offers them.
ORDER_FIELDS: dict[str, object] = {
    "reference": gettext_lazy("Order reference"),
    "ordered_at": gettext_lazy("Time of sale"),
    "customer": gettext_lazy("Customer (phone, external ID or card number)"),
    "phone": gettext_lazy("Phone"),
    "external_id": gettext_lazy("External ID"),
    "card_number": gettext_lazy("Card number"),
    "amount": gettext_lazy("Amount"),
    "sku": gettext_lazy("SKU"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "store": gettext_lazy("Store (code or name)"),
    "staff": gettext_lazy("Staff member (username)"),
}
REQUIRED_FIELDS = ("reference", "ordered_at", "amount")
CUSTOMER_FIELDS = ("customer", "phone", "external_id", "card_number")

# Header synonyms, compared after ``header_key`` (lower case, no spaces or punctuation).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "reference": (
        "reference",
        "orderreference",
        "order",
        "orderno",
        "ordernumber",
        "orderid",
        "receipt",
        "receiptno",
        "receiptnumber",
        "ticket",
        "订单号",
        "訂單號",
        "订单编号",
        "訂單編號",
        "订单",
        "訂單",
        "单号",
        "單號",
        "小票号",
        "小票號",
        "流水号",
        "流水號",
        "销售单号",
        "銷售單號",
        "交易号",
        "交易號",
    ),
    "ordered_at": (
        "time",
        "date",
        "datetime",
        "ordertime",
        "orderdate",
        "saletime",
        "saledate",
        "orderedat",
        "时间",
        "時間",
        "日期",
        "下单时间",
        "下單時間",
        "销售时间",
        "銷售時間",
        "销售日期",
        "銷售日期",
        "消费时间",
        "消費時間",
        "消费日期",
        "消費日期",
        "交易时间",
        "交易時間",
        "交易日期",
        "购买时间",
        "購買時間",
        "订单时间",
        "訂單時間",
    ),
    "customer": (
        "customer",
        "member",
        "customerreference",
        "memberreference",
        "客户",
        "客戶",
        "会员",
        "會員",
        "顾客",
        "顧客",
        "客户信息",
        "客戶資料",
        "会员信息",
        "會員資料",
    ),
    "phone": (
        "phone",
        "mobile",
        "mobilephone",
        "cellphone",
        "tel",
        "telephone",
        "phonenumber",
        "手机",
        "手機",
        "手机号",
        "手機號",
        "手机号码",
        "手機號碼",
        "电话",
        "電話",
        "联系电话",
        "聯絡電話",
        "会员手机",
        "會員手機",
    ),
    "external_id": (
        "externalid",
        "customerid",
        "customerno",
        "memberid",
        "memberno",
        "membernumber",
        "会员号",
        "會員號",
        "会员编号",
        "會員編號",
        "客户编号",
        "客戶編號",
    ),
    "card_number": (
        "cardnumber",
        "cardno",
        "card",
        "membercard",
        "membercardnumber",
        "卡号",
        "卡號",
        "会员卡",
        "會員卡",
        "会员卡号",
        "會員卡號",
    ),
    "amount": (
        "amount",
        "total",
        "sum",
        "paid",
        "lineamount",
        "金额",
        "金額",
        "实付",
        "實付",
        "实付金额",
        "實付金額",
        "实收",
        "實收",
        "实收金额",
        "實收金額",
        "消费金额",
        "消費金額",
        "销售金额",
        "銷售金額",
        "总额",
        "總額",
        "合计",
        "合計",
        "小计",
        "小計",
    ),
    "sku": (
        "sku",
        "productcode",
        "itemcode",
        "productsku",
        "商品编码",
        "商品編碼",
        "产品编码",
        "產品編碼",
        "货号",
        "貨號",
        "商品编号",
        "商品編號",
    ),
    "quantity": ("quantity", "qty", "count", "数量", "數量", "件数", "件數"),
    "unit_price": (
        "unitprice",
        "price",
        "单价",
        "單價",
        "售价",
        "售價",
        "价格",
        "價格",
        "成交价",
        "成交價",
    ),
    "store": (
        "store",
        "shop",
        "branch",
        "storecode",
        "门店",
        "門店",
        "店铺",
        "店鋪",
        "分店",
        "门店编号",
        "門店編號",
        "门店代码",
        "門店代碼",
    ),
    "staff": (
        "staff",
        "staffmember",
        "salesperson",
        "cashier",
        "seller",
        "employee",
        "servedby",
        "员工",
        "員工",
        "导购",
        "導購",
        "销售员",
        "銷售員",
        "收银员",
        "收銀員",
        "美容师",
        "美容師",
        "顾问",
        "顧問",
    ),
}
HEADER_FIELDS: dict[str, str] = {
    synonym: field for field, synonyms in SYNONYMS.items() for synonym in synonyms
}


def suggest_field(header: str) -> str:
    """The field a header most likely means, or "" when it means none."""
    key = header_key(header)
    if not key:
        return ""
    if key in HEADER_FIELDS:
        return HEADER_FIELDS[key]
    for suffix in ("号码", "號碼", "no", "number"):
        if key.endswith(suffix) and key[: -len(suffix)] in HEADER_FIELDS:
            return HEADER_FIELDS[key[: -len(suffix)]]
    return ""


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """header -> field for every header; each field is suggested for one column at most."""
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for header in headers:
        field = suggest_field(header)
        if field and field not in used:
            used.add(field)
            mapping[header] = field
        else:
            mapping[header] = ""
    return mapping


def mapping_problems(fields: Sequence[str]) -> list[str]:
    """What is wrong with the fields chosen for the columns (translated), or nothing."""
    chosen = {f for f in fields if f}
    missing = [str(ORDER_FIELDS[f]) for f in REQUIRED_FIELDS if f not in chosen]
    problems = []
    if missing:
        problems.append(_("No column is mapped to %(fields)s.") % {"fields": ", ".join(missing)})
    if not chosen & set(CUSTOMER_FIELDS):
        problems.append(
            _(
                "No column names the customer: map a column to the customer, the phone, the "
                "external ID or the card number."
            )
        )
    return problems


def resolve_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[int, str]:
    """Column index -> field, from ``{header: field}``. Headers of the mapping that are not in
    the file are ignored; raises ``ImportFileError`` for an unknown field, a field mapped twice,
    a required field left out or no column naming the customer."""
    by_header = {header_key(h): f for h, f in mapping.items() if f}
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        field = by_header.get(header_key(header), "")
        if not field:
            continue
        if field not in ORDER_FIELDS:
            raise ImportFileError(
                _("Unknown order field %(field)s for column %(column)s.")
                % {"field": field, "column": header},
                code="mapping",
            )
        if field in seen:
            raise ImportFileError(
                _("The columns %(first)s and %(second)s are both mapped to %(field)s.")
                % {"first": seen[field], "second": header, "field": ORDER_FIELDS[field]},
                code="mapping",
            )
        seen[field] = header
        columns[index] = field
    problems = mapping_problems(list(seen))
    if problems:
        raise ImportFileError(" ".join(problems), code="mapping")
    return columns
