"""Keys for finding and matching people by name.

- ``name_key``: the name in simplified characters, lower case, without spaces, so that 陳小明,
  陈小明 and "陈 小明" are the same person for duplicate detection.
- ``search_key``: both scripts of the name, its pinyin and its pinyin initials, so staff find
  王小明 by typing 王小明, 王小明 in traditional script, "wangxiaoming" or "wxm".

OpenCC does the script conversion and pypinyin the romanisation: both are maintained libraries
with the dictionaries this needs, which we would otherwise have to keep ourselves.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
from pypinyin import Style, lazy_pinyin

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SPACES = re.compile(r"[\s\u3000·•・.]+")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def _clean(text: str) -> str:
    return SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def name_key(full_name: str) -> str:
    """The form of a name used to spot the same person written differently."""
    return to_simplified(_clean(full_name))[:100]


def search_key(full_name: str) -> str:
    """Everything a name can be searched by, space-separated, lower case."""
    simplified = name_key(full_name)
    parts = [simplified]
    if HAN.search(simplified):
        traditional = to_traditional(simplified)
        if traditional != simplified:
            parts.append(traditional)
        syllables = lazy_pinyin(simplified, errors="ignore")
        parts.append("".join(syllables))
        parts.append("".join(lazy_pinyin(simplified, style=Style.FIRST_LETTER, errors="ignore")))
    return " ".join(p for p in parts if p)[:400]


def search_term_key(term: str) -> str:
    """A search term brought to the form of ``search_key``: simplified, lower case, no spaces."""
    return name_key(term)
