"""The documentation cannot silently drift from the code.

Every environment variable the settings read must be documented in README.md, and the files the
README links to must exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "src" / "guanxi" / "config"
README = REPO_ROOT / "README.md"
# django-environ's readers (``env.str("NAME")``, ``env("NAME")``) and guanxi.config.env.require.
ENV_METHODS = {"str", "int", "bool", "float", "list", "tuple", "dict", "json", "url"} | {
    "db_url",
    "db",
    "email_url",
    "email",
    "cache_url",
    "cache",
    "path",
}


def _constant_first_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _reads_environment(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):  # env("NAME"), require("NAME"), getenv("NAME")
        return func.id in {"env", "require", "getenv"}
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "env":  # env.str("NAME", default=...)
        return func.attr in ENV_METHODS
    if isinstance(owner, ast.Name) and owner.id == "os":  # os.getenv("NAME")
        return func.attr == "getenv"
    # os.environ.get("NAME")
    return (
        func.attr == "get"
        and isinstance(owner, ast.Attribute)
        and owner.attr == "environ"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "os"
    )


def environment_variables_read(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _reads_environment(node):
            name = _constant_first_argument(node)
            if name:
                names.add(name)
    return names


def settings_environment_variables() -> set[str]:
    names: set[str] = set()
    for path in sorted(CONFIG_DIR.glob("*.py")):
        names |= environment_variables_read(path.read_text(encoding="utf-8"))
    return names


def documented_variables() -> set[str]:
    """Variables named in backticks in the README (the configuration table uses `NAME`)."""
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", README.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param('env.str("A", default="x")', {"A"}, id="env_method_case"),
        pytest.param('env.db_url("B")', {"B"}, id="db_url_case"),
        pytest.param('env("C")', {"C"}, id="env_call_case"),
        pytest.param('require("D")', {"D"}, id="require_case"),
        pytest.param('os.environ.get("E")', {"E"}, id="os_environ_get_case"),
        pytest.param('os.getenv("F", "1")', {"F"}, id="os_getenv_case"),
        pytest.param('os.environ["G"] = "test"', set(), id="assignment_is_no_read_case"),
        pytest.param("env.str(name)", set(), id="variable_name_case"),
        pytest.param('settings.get("H")', set(), id="other_get_case"),
    ],
)
def test_parser_finds_environment_reads(source, expected):
    # given a line of settings code
    # when it is parsed
    found = environment_variables_read(source)

    # then exactly the variables it reads are found
    assert found == expected


def test_settings_read_the_variables_the_parser_is_expected_to_see():
    # given the settings modules
    # when their environment reads are collected
    found = settings_environment_variables()

    # then the collection is not vacuous: the core variables are among them
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "GUANXI_ENV", "EMAIL_URL"} <= found


def test_every_environment_variable_is_documented_in_the_readme():
    # given every variable the settings read and every variable the README names
    read = settings_environment_variables()
    documented = documented_variables()

    # then none is missing from the README
    assert sorted(read - documented) == []


def test_readme_links_point_to_existing_files():
    # given the README's relative links and images
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#|mailto:)([^)#\s]+)", text)
    targets += re.findall(r'<img src="(?!https?://)([^"]+)"', text)

    # then every one of them exists in the repository
    assert targets, "the README links to no file at all"
    assert sorted(t for t in targets if not (REPO_ROOT / t).exists()) == []
