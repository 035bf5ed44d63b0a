"""The column mapping: which column of the file fills which customer field.

Headers are matched to fields by name, in English and in both Chinese scripts (``suggest_mapping``);
the user corrects the suggestion and may save it (``ImportMapping``) to use again. On the command
line a JSON file ``{"column header": "field"}`` does the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.imports.reading import ImportFileError

# field -> label, in the order the mapping form offers them.
IMPORT_FIELDS: dict[str, object] = {
    "full_name": gettext_lazy("Full name"),
    "phone": gettext_lazy("Phone"),
    "external_id": gettext_lazy("External ID"),
    "gender": gettext_lazy("Gender"),
    "birthday": gettext_lazy("Birthday"),
    "email": gettext_lazy("Email"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "district": gettext_lazy("District"),
    "street": gettext_lazy("Street address"),
    "occupation": gettext_lazy("Occupation"),
    "hobbies": gettext_lazy("Hobbies"),
    "home_store": gettext_lazy("Home store (code or name)"),
    "responsible_staff": gettext_lazy("Responsible staff member (username)"),
    "consent_sms": gettext_lazy("SMS consent (yes/no)"),
    "consent_email": gettext_lazy("Email consent (yes/no)"),
    "consent_wechat": gettext_lazy("WeChat consent (yes/no)"),
}
REQUIRED_FIELDS = ("full_name", "phone")

# Header synonyms, compared after ``header_key`` (lower case, no spaces or punctuation,
# simplified and traditional forms both listed).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "fullname",
        "name",
        "customername",
        "membername",
        "customer",
        "member",
        "姓名",
        "名字",
        "客户姓名",
        "客戶姓名",
        "会员姓名",
        "會員姓名",
        "顾客姓名",
        "顧客姓名",
        "客户",
        "客戶",
        "会员",
        "會員",
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
        "电话号码",
        "電話號碼",
        "联系电话",
        "聯繫電話",
        "聯絡電話",
        "移动电话",
        "行動電話",
    ),
    "external_id": (
        "externalid",
        "id",
        "memberid",
        "memberno",
        "membernumber",
        "customerid",
        "customerno",
        "cardno",
        "会员号",
        "會員號",
        "会员编号",
        "會員編號",
        "会员卡号",
        "會員卡號",
        "卡号",
        "卡號",
        "客户编号",
        "客戶編號",
        "编号",
        "編號",
    ),
    "gender": ("gender", "sex", "性别", "性別"),
    "birthday": (
        "birthday",
        "birthdate",
        "dateofbirth",
        "dob",
        "生日",
        "出生日期",
        "出生年月日",
        "出生",
    ),
    "email": (
        "email",
        "mail",
        "emailaddress",
        "邮箱",
        "郵箱",
        "电子邮箱",
        "電子郵箱",
        "电子邮件",
        "電子郵件",
        "邮件",
        "郵件",
    ),
    "province": ("province", "state", "省", "省份"),
    "city": ("city", "市", "城市"),
    "district": ("district", "county", "区", "區", "县", "縣", "区县", "區縣"),
    "street": (
        "street",
        "address",
        "streetaddress",
        "地址",
        "详细地址",
        "詳細地址",
        "街道",
        "住址",
        "联系地址",
        "聯繫地址",
    ),
    "occupation": ("occupation", "job", "profession", "职业", "職業", "工作"),
    "hobbies": (
        "hobbies",
        "hobby",
        "interests",
        "爱好",
        "愛好",
        "兴趣",
        "興趣",
        "兴趣爱好",
        "興趣愛好",
    ),
    "home_store": (
        "store",
        "homestore",
        "shop",
        "branch",
        "storecode",
        "门店",
        "門店",
        "店铺",
        "店鋪",
        "所属门店",
        "所屬門店",
        "分店",
        "门店编号",
        "門店編號",
    ),
    "responsible_staff": (
        "staff",
        "responsiblestaff",
        "salesperson",
        "consultant",
        "advisor",
        "负责人",
        "負責人",
        "员工",
        "員工",
        "顾问",
        "顧問",
        "专属顾问",
        "專屬顧問",
        "导购",
        "導購",
    ),
    "consent_sms": (
        "smsconsent",
        "consentsms",
        "sms",
        "短信",
        "短信同意",
        "接收短信",
        "簡訊",
        "簡訊同意",
        "接收簡訊",
    ),
    "consent_email": (
        "emailconsent",
        "consentemail",
        "邮件同意",
        "郵件同意",
        "接收邮件",
        "接收郵件",
    ),
    "consent_wechat": ("wechatconsent", "consentwechat", "wechat", "微信", "微信同意", "接收微信"),
}
_PUNCTUATION = re.compile(r"[\s_\-.:：()（）/\\*#]+")
HEADER_FIELDS: dict[str, str] = {
    synonym: field for field, synonyms in SYNONYMS.items() for synonym in synonyms
}


def header_key(header: str) -> str:
    """A header without case, spaces, punctuation or full-width forms: "Phone No." -> "phoneno"."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", header or "")).lower()


def suggest_field(header: str) -> str:
    """The field a header most likely means, or "" when it means none."""
    key = header_key(header)
    if not key:
        return ""
    if key in HEADER_FIELDS:
        return HEADER_FIELDS[key]
    for suffix in ("号码", "號碼", "号", "號", "no", "number"):
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


def resolve_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[int, str]:
    """Column index -> field, from ``{header: field}``. Headers of the mapping that are not in the
    file are ignored (a saved mapping may cover more columns); raises ``ImportFileError`` for an
    unknown field, a field mapped twice or a required field left out."""
    by_header = {header_key(h): f for h, f in mapping.items() if f}
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        field = by_header.get(header_key(header), "")
        if not field:
            continue
        if field not in IMPORT_FIELDS:
            raise ImportFileError(
                _("Unknown customer field %(field)s for column %(column)s.")
                % {"field": field, "column": header},
                code="mapping",
            )
        if field in seen:
            raise ImportFileError(
                _("The columns %(first)s and %(second)s are both mapped to %(field)s.")
                % {"first": seen[field], "second": header, "field": IMPORT_FIELDS[field]},
                code="mapping",
            )
        seen[field] = header
        columns[index] = field
    missing = [IMPORT_FIELDS[f] for f in REQUIRED_FIELDS if f not in seen]
    if missing:
        raise ImportFileError(
            _("No column is mapped to %(fields)s.")
            % {"fields": ", ".join(str(m) for m in missing)},
            code="mapping",
        )
    return columns


def mapping_from_json(path: Path) -> dict[str, str]:
    """A mapping file of the command line: ``{"column header": "field"}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ImportFileError(
            _("The mapping file %(path)s is not readable JSON: %(error)s")
            % {"path": path, "error": exc},
            code="mapping",
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in data.items()
    ):
        raise ImportFileError(
            _('The mapping file must be a JSON object {"column header": "field"}.'),
            code="mapping",
        )
    return {k: v or "" for k, v in data.items()}
