"""The ``guanxi`` console script: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.config.settings")
    from django.core.management import execute_from_command_line

    from guanxi.config.env import ImproperlyConfiguredEnvironment

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfiguredEnvironment as exc:
        sys.stderr.write(f"guanxi: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
