import gettext
import os
import signal
import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from huey import MemoryHuey

from guanxi.core.management.commands import serve_demo
from guanxi.core.management.commands.serve_demo import BackgroundConsumer, consumer_build

PO = """\
msgid ""
msgstr ""
"Language: zh_Hans\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Customer"
msgstr "客户"

#, fuzzy
msgid "Store"
msgstr "门店"

msgid "%(count)d row"
msgid_plural "%(count)d rows"
msgstr[0] "%(count)d 行"
"""


def test_consumer_uses_thread_workers_from_settings(settings):
    settings.HUEY = {**settings.HUEY, "consumer": {"workers": 3, "worker_type": "process"}}

    consumer = consumer_build(MemoryHuey("t", immediate=False))

    assert isinstance(consumer, BackgroundConsumer)
    assert consumer.workers == 3
    assert consumer.worker_type == "thread"
    assert consumer.periodic is True
    assert consumer.shutdown_timeout == 10.0
    assert all(thread.daemon for _, thread in consumer.worker_threads)
    assert len(consumer.worker_threads) == 3


def test_consumer_runs_tasks_in_a_background_thread_without_signal_handlers(settings):
    settings.HUEY = {**settings.HUEY, "consumer": {"workers": 1}}
    huey = MemoryHuey("t", immediate=False)

    @huey.task()
    def add(a, b):
        return a + b

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = consumer_build(huey)
    thread = serve_demo.consumer_thread_start(consumer)
    try:
        assert add(2, 3).get(blocking=True, timeout=5) == 5
    finally:
        consumer.stop(graceful=True)
        thread.join(timeout=5)

    assert not thread.is_alive()
    assert {s: signal.getsignal(s) for s in handlers} == handlers


def test_serve_demo_serves_without_reloader_and_stops_the_consumer(settings):
    settings.HUEY = {**settings.HUEY, "consumer": {"workers": 1}}
    huey = MemoryHuey("t", immediate=False)
    served = {}

    def runserver(name, addrport, **options):
        served.update(name=name, addrport=addrport, **options)
        served["consumer_alive"] = any(t.name == "huey-consumer" for t in threading.enumerate())

    with (
        mock.patch("huey.contrib.djhuey.HUEY", huey),
        mock.patch.object(serve_demo, "call_command", side_effect=runserver),
    ):
        call_command("serve_demo", "0.0.0.0:8123")

    assert served == {
        "name": "runserver",
        "addrport": "0.0.0.0:8123",
        "use_reloader": False,
        "consumer_alive": True,
    }
    assert not any(t.name == "huey-consumer" for t in threading.enumerate())


def test_serve_demo_refuses_immediate_mode():
    with pytest.raises(CommandError, match="immediate mode"):
        call_command("serve_demo")


@pytest.fixture
def locale_dir(tmp_path, settings):
    root = tmp_path / "locale"
    po = root / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")
    settings.LOCALE_PATHS = [root]
    return po


def test_compile_catalogs_writes_mo_files(locale_dir, capsys):
    call_command("compile_catalogs")

    with locale_dir.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert catalog.gettext("Customer") == "客户"
    assert catalog.gettext("Store") == "Store"  # fuzzy entries are left out
    assert catalog.ngettext("%(count)d row", "%(count)d rows", 5) == "%(count)d 行"
    assert capsys.readouterr().out.strip() == "1 catalog(s) compiled, 0 up to date, 0 failed."


def test_compile_catalogs_skips_up_to_date_files(locale_dir, capsys):
    call_command("compile_catalogs")
    mo = locale_dir.with_suffix(".mo")
    compiled_at = mo.stat().st_mtime_ns
    capsys.readouterr()

    call_command("compile_catalogs")

    assert mo.stat().st_mtime_ns == compiled_at
    assert capsys.readouterr().out.strip() == "0 catalog(s) compiled, 1 up to date, 0 failed."


def test_compile_catalogs_recompiles_changed_and_forced_files(locale_dir, capsys):
    call_command("compile_catalogs")
    mo = locale_dir.with_suffix(".mo")
    os.utime(mo, (0, 0))  # older than the .po
    capsys.readouterr()

    call_command("compile_catalogs")

    assert capsys.readouterr().out.strip() == "1 catalog(s) compiled, 0 up to date, 0 failed."
    call_command("compile_catalogs", "--force")
    assert capsys.readouterr().out.strip() == "1 catalog(s) compiled, 0 up to date, 0 failed."
