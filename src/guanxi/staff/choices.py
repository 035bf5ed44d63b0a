from django.conf import settings

from guanxi.core.permissions import Role

__all__ = ["Role", "LANGUAGE_CHOICES"]

LANGUAGE_CHOICES = list(settings.LANGUAGES)
