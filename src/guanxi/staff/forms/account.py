from django.contrib.auth.forms import AuthenticationForm

from guanxi.core.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    pass
