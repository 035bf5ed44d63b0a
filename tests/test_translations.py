"""Every user-visible string is translated into Simplified and Traditional Chinese.

The catalogs live in src/guanxi/locale/<lang>/LC_MESSAGES/django.po. When you add or change a
string, run `make messages` and translate the new entries; these tests fail until you do.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "guanxi"
LOCALES = ["zh_Hans", "zh_Hant"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def catalog(locale: str) -> polib.POFile:
    path = PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing catalog {path}"
    return polib.pofile(str(path))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_untranslated_entry(locale):
    untranslated = [e.msgid for e in catalog(locale).untranslated_entries()]
    assert untranslated == []


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_fuzzy_entry(locale):
    fuzzy = [e.msgid for e in catalog(locale).fuzzy_entries()]
    assert fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder(locale):
    broken = []
    for entry in catalog(locale).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            translations = entry.msgstr_plural.values()
            expected = sorted(set(expected) | set(PLACEHOLDER.findall(entry.msgid_plural)))
            found = [sorted(set(PLACEHOLDER.findall(t))) for t in translations]
            if any(set(f) - set(expected) for f in found):
                broken.append(entry.msgid)
        elif sorted(PLACEHOLDER.findall(entry.msgstr)) != expected:
            broken.append(entry.msgid)
    assert broken == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogs_contain_every_marked_string(tmp_path):
    """Extract the strings afresh; every one must already be in the committed catalogs."""
    copy = tmp_path / "guanxi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "tests"))
    # makemessages writes into the first LOCALE_PATHS entry: point it at the copy, never at the
    # committed catalogs.
    (tmp_path / "extract_settings.py").write_text(
        "from guanxi.config.test_settings import *  # noqa\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    subprocess.run(
        [sys.executable, "-m", "guanxi.manage", "makemessages", "--no-location", "-l", "zh_Hans"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "extract_settings",
            "PYTHONPATH": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "GUANXI_VAR_DIR": str(tmp_path / "var"),
        },
    )
    extracted = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        if not e.obsolete
    }
    for locale in LOCALES:
        committed = {(e.msgctxt, e.msgid) for e in catalog(locale) if not e.obsolete}
        missing = sorted(m for _ctx, m in extracted - committed)
        assert missing == [], f"{locale}: run `make messages` and translate: {missing[:20]}"
