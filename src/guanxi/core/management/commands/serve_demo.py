"""``guanxi serve_demo [addrport]``: the web server and the job queue in one process.

``make demo`` needs nothing else running: the Huey consumer works in threads beside Django's
development server. The server owns the process's signals (Ctrl-C stops it); the consumer
installs no handlers of its own and is stopped gracefully when the server exits.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.api import Huey
from huey.consumer import Consumer
from huey.consumer_options import ConsumerConfig

SHUTDOWN_TIMEOUT = 10.0


class BackgroundConsumer(Consumer):
    """A Huey consumer that can run in a thread other than the main one.

    ``Consumer.start`` ends by installing SIGINT/SIGTERM/SIGHUP handlers, which Python allows
    only in the main thread, and which would take Ctrl-C away from the web server.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started = threading.Event()

    def start(self) -> None:
        super().start()
        self.started.set()

    def _set_signal_handlers(self) -> None:
        return None


def consumer_options() -> dict[str, Any]:
    """The consumer settings of ``settings.HUEY["consumer"]``, always with thread workers."""
    huey_settings = settings.HUEY if isinstance(settings.HUEY, dict) else {}
    consumer = huey_settings.get("consumer")
    configured: dict[str, Any] = dict(consumer) if isinstance(consumer, dict) else {}
    configured["worker_type"] = "thread"
    configured.setdefault("shutdown_timeout", SHUTDOWN_TIMEOUT)
    config = ConsumerConfig(**configured)
    config.validate()
    return config.values


def consumer_build(huey: Huey) -> BackgroundConsumer:
    return BackgroundConsumer(huey, **consumer_options())


def consumer_thread_start(consumer: BackgroundConsumer) -> threading.Thread:
    """Run the consumer (its workers, scheduler and health checks) in a daemon thread, and
    return once its workers are running, so that stopping it right away is safe."""
    thread = threading.Thread(target=consumer.run, name="huey-consumer", daemon=True)
    thread.start()
    if not consumer.started.wait(timeout=SHUTDOWN_TIMEOUT):
        raise CommandError("The job queue consumer did not start.")
    return thread


class Command(BaseCommand):
    help = "Serve Guanxi for a demo: the development server and the job queue in one process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="Address and port to serve on."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError(
                "Huey runs in immediate mode (GUANXI_HUEY_IMMEDIATE); the consumer is not needed "
                "and cannot run. Use `guanxi runserver` instead."
            )
        autodiscover_modules("tasks")  # registers every domain's tasks and periodic tasks
        consumer = consumer_build(HUEY)
        thread = consumer_thread_start(consumer)
        self.stdout.write(
            f"Job queue: {consumer.workers} worker thread(s), periodic tasks "
            f"{'on' if consumer.periodic else 'off'}."
        )
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            consumer.stop(graceful=True)
            thread.join(timeout=SHUTDOWN_TIMEOUT)
