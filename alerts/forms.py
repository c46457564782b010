from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Subscription


def normalise_email(address):
    """One spelling of an address: the domain is case-insensitive, and so, in practice, is the
    part before it; surrounding spaces are dropped."""
    return address.strip().lower()


def email_languages():
    """The site's languages as settings say when the form is made, not when it was imported."""
    return settings.LANGUAGES


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATELY,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=email_languages)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(choices=Subscription.Frequency.choices)
