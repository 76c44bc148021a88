"""The upload form: the files and the options of ``carelens ingest`` (docs/web/loads.md)."""

from __future__ import annotations

import re

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/input.html"  # the plain input: no "clear" checkbox


class MultipleFileField(forms.FileField):
    """One or more files chosen in one GOV.UK file upload."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_empty_file", True)  # an empty table of a return is ingest's to say so
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "govuk-file-upload", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data] if data else single(None, initial)
        return [single(data, initial)]


class LoadForm(forms.Form):
    files = MultipleFileField(
        label="Returns or extracts",
        help_text="Choose every file of an SSDA903 return (its CSV files, or its XML file), CIN census XML files, "
                  "an Annex A workbook, the Standard Safeguarding Dataset tables (ssd_*.csv) or a zip file of "
                  "folders of them. CareLens tells what each file is from what it holds.",
        error_messages={"required": "Choose the files to load"})
    collection_year = forms.IntegerField(
        label="Collection year (optional)", required=False, min_value=2000, max_value=2100,
        help_text="The year a return ends, for example 2025 for 2024 to 2025. Leave empty: each SSDA903 return's "
                  "year is told from its dates.",
        error_messages={"invalid": "Enter the collection year as 4 digits, for example 2025",
                        "min_value": "Enter a collection year from 2000", "max_value": "Enter a collection year "
                                                                                         "before 2100"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric",
                                      "spellcheck": "false"}))
    la_code = forms.CharField(
        label="Authority (optional)", required=False, max_length=3,
        help_text="The DfE 3-digit number of the authority the files are for, for example 890. An Annex A workbook "
                  "and SSD tables need it; returns say it themselves.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric",
                                      "spellcheck": "false"}))
    check_only = forms.BooleanField(
        label="Check only: read and check the files, store nothing", required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}))
    hold_back = forms.BooleanField(
        label="Hold back children with problems: load every other child of an SSDA903 return", required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}))

    def clean_la_code(self) -> str:
        code = (self.cleaned_data.get("la_code") or "").strip()
        if code and not re.fullmatch(r"\d{3}", code):
            raise forms.ValidationError("Enter the authority as its 3-digit DfE number, for example 890")
        return code
