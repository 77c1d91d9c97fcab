from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        # Apps show "123 456"; people copy recovery codes with stray spaces.
        return "".join(self.cleaned_data["token"].split()).lower()


class EnrolForm(TokenForm):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("The six digits the app shows once it has the key."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasskeyResponseForm(forms.Form):
    """What the browser's passkey answered, as JSON (static/js/passkeys.js sends it)."""

    credential = forms.JSONField(widget=forms.HiddenInput)

    def clean_credential(self) -> dict:
        credential = self.cleaned_data["credential"]
        if not isinstance(credential, dict):
            raise forms.ValidationError(_("The passkey's answer is not in the expected form."))
        return credential


class PasskeyAddForm(PasskeyResponseForm):
    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=64,
        help_text=_("So you can tell your passkeys apart, for example “Work laptop”."),
    )
