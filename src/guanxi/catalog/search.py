"""The search text of a catalogue item: every name in both scripts, pinyin and initials, plus
its codes, so that staff find 自然堂 by 自然堂, 自然堂 in traditional script, "ziran" or "zrt"."""

from __future__ import annotations

from collections.abc import Iterable

from guanxi.customers.names import search_key

MAX_LENGTH = 1000


def catalogue_search_text(*, names: Iterable[str], codes: Iterable[str] = ()) -> str:
    parts: list[str] = [code.lower() for code in codes if code]
    parts += [search_key(name) for name in names if name]
    return " ".join(p for p in parts if p)[:MAX_LENGTH]
