from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.validators import FreeTextField

ANSWERS = [("yes", _("Yes")), ("no", _("No"))]


class FeedbackForm(forms.Form):
    would_recommend = forms.TypedChoiceField(
        choices=ANSWERS,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose Yes or No.")},
    )
    comment = FreeTextField(
        label=_("Anything you would like to tell us? (optional)"),
        help_text=_(
            "Our team reads comments before any is shown on the site. Please leave out medical details."
        ),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, doctor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["would_recommend"].label = _("Would you recommend %(name)s?") % {"name": doctor.name}
