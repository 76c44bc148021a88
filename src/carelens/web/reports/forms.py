"""The form that asks for a monthly report: which month end, for which audience."""

from __future__ import annotations

import datetime as dt

from django import forms

from carelens.web.reports.models import Audience


class GenerateForm(forms.Form):
    """A month end the store covers (newest first, the latest complete month chosen) and the audience."""

    as_at = forms.TypedChoiceField(label="Month", coerce=dt.date.fromisoformat,
                                   widget=forms.Select(attrs={"class": "govuk-select"}),
                                   error_messages={"required": "Choose the month to report on",
                                                   "invalid_choice": "Choose a month the store holds"})
    audience = forms.ChoiceField(label="Audience", choices=Audience.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose who the report is for"})

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_at"].choices = [(m.isoformat(), m.strftime("%B %Y")) for m in months]
        if months:
            self.fields["as_at"].initial = months[0].isoformat()
        self.fields["audience"].initial = Audience.INTERNAL
