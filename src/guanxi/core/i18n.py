"""Helpers for data kept in the three interface languages (names of products, tiers …)."""

from __future__ import annotations

TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk")


def localized(en: str, zh_hans: str, zh_hant: str, language: str | None) -> str:
    """The value for ``language``: a Chinese script falls back to the other script, then to
    English; English is the last resort for every language."""
    language = (language or "en").lower()
    if language.startswith("zh"):
        preferred = (zh_hant, zh_hans) if language in TRADITIONAL else (zh_hans, zh_hant)
        for value in preferred:
            if value:
                return str(value)
    return str(en)
