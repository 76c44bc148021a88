"""The accounts app's forms, drawn with GOV.UK Frontend's classes (accounts/includes/field.html draws a field,
accounts/includes/error_summary.html the summary of a form's errors)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from carelens.model.code_lists import code_list
from carelens.web.accounts.models import AuditAllocation, User
from carelens.web.accounts.roles import Role

# GOV.UK Frontend's class for each kind of widget, and the modifier it takes when the field has an error
_WIDGET_CLASSES = {
    forms.Select: ("govuk-select", "govuk-select--error"),
    forms.Textarea: ("govuk-textarea", "govuk-textarea--error"),
    forms.RadioSelect: ("govuk-radios__input", ""),
    forms.CheckboxInput: ("govuk-checkboxes__input", ""),
}


class GovukFields:
    """A form whose widgets carry GOV.UK Frontend's classes, and its error modifier once it has errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            base, _ = _classes(field.widget)
            field.widget.attrs["class"] = " ".join(filter(None, [base, field.widget.attrs.get("class", "")]))

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                _, error = _classes(widget)
                if error and error not in widget.attrs["class"]:
                    widget.attrs["class"] += " " + error


def _classes(widget: forms.Widget) -> tuple[str, str]:
    for kind, classes in _WIDGET_CLASSES.items():
        if isinstance(widget, kind):
            return classes
    return "govuk-input", "govuk-input--error"


class GovukForm(GovukFields, forms.Form):
    """A plain form, in GOV.UK Frontend's classes."""


class GovukModelForm(GovukFields, forms.ModelForm):
    """A model's form, in GOV.UK Frontend's classes."""


def service_area_choices() -> list[tuple[str, str]]:
    """The store's service areas (code list ``team_service``), with a blank first choice."""
    return [("", "None")] + [(e.code, e.label) for e in code_list("team_service").entries]


class SignInForm(GovukForm, AuthenticationForm):
    """Username and password. One message for any failure, so the page never says which of the two was wrong
    (or whether an account exists)."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. After 5 failed attempts in 15 minutes the "
                         "account is locked for 15 minutes.",
        "inactive": "Enter a correct username and password.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false",
                                                     "autocapitalize": "none"})
        self.fields["username"].widget.attrs.pop("autofocus", None)  # GOV.UK: no autofocus
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class OwnPasswordForm(GovukForm, PasswordChangeForm):
    """A signed-in user changes their own password (the validators say what a password must be)."""


class NewPasswordForm(GovukForm, SetPasswordForm):
    """An administrator sets a user's new password (to give them in person, for them to change)."""


class ScopeFields(GovukModelForm):
    """Role and scope, as creating and changing a user share them: a manager sees the children of one service
    area or one team (exactly one of the two); the other roles have no such scope, so theirs is cleared."""

    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)
    service_area = forms.ChoiceField(required=False, label="Service area (managers)",
                                     help_text="A manager sees the children open to this service area …")
    team_id = forms.CharField(required=False, max_length=40, label="Or a team (managers)",
                              help_text="… or to this one team, by its id in the case system.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = service_area_choices()
        self.fields["team_id"].widget.attrs["class"] += " govuk-input--width-10"

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.MANAGER:
            area, team = data.get("service_area"), (data.get("team_id") or "").strip()
            if not area and not team:
                self.add_error("service_area", "Choose the service area or enter the team this manager sees")
            elif area and team:
                self.add_error("team_id", "Enter a team or choose a service area, not both")
            data["team_id"] = team
        else:
            data["service_area"], data["team_id"] = "", ""
        return data


class UserCreateForm(ScopeFields):
    """A new user: who they are, their role and scope, and a first password for them to change."""

    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=password_validation.password_validators_help_texts)
    password2 = forms.CharField(label="Confirm password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "service_area", "team_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = "At least 12 characters, not a common password and not all numbers."

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Enter the same password in both fields")
        elif first:
            candidate = User(username=data.get("username", ""), first_name=data.get("first_name", ""),
                             last_name=data.get("last_name", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class UserChangeForm(ScopeFields):
    """A user's name, email, role and scope. An administrator cannot take away their own role (another
    administrator must), so there is always one left who can manage users."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "service_area", "team_id"]

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor

    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.instance.pk == self.editor.pk and role != Role.ADMINISTRATOR:
            raise forms.ValidationError("You cannot remove your own administrator role: ask another administrator")
        return role


class AllocationForm(GovukForm):
    """Children allocated to an auditor for a case audit, by their ids in the store (one a line)."""

    auditor = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Choose an auditor")
    la_code = forms.CharField(label="Local authority code", max_length=3, min_length=3,
                              help_text="3 digits, for example 890")
    child_ids = forms.CharField(label="Child ids", widget=forms.Textarea(attrs={"rows": 5}),
                                help_text="The child's id in the case system, one a line")

    def __init__(self, *args, known_children=None, **kwargs):
        """``known_children(la_code, ids)``: which of ``ids`` the store holds (None: not checked)."""
        super().__init__(*args, **kwargs)
        self.known_children = known_children
        self.fields["auditor"].queryset = User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("username")
        self.fields["la_code"].widget.attrs["class"] += " govuk-input--width-3"
        self.fields["la_code"].widget.attrs["inputmode"] = "numeric"

    def clean_la_code(self):
        code = self.cleaned_data["la_code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Enter the local authority code as 3 digits, for example 890")
        return code

    def clean_child_ids(self):
        ids = sorted({line.strip() for line in self.cleaned_data["child_ids"].splitlines() if line.strip()})
        if not ids:
            raise forms.ValidationError("Enter at least one child id")
        if any(len(i) > 40 for i in ids):
            raise forms.ValidationError("A child id has at most 40 characters")
        return ids

    def clean(self):
        data = super().clean()
        if self.known_children and data.get("la_code") and data.get("child_ids"):
            unknown = sorted(set(data["child_ids"]) - set(self.known_children(data["la_code"], data["child_ids"])))
            if unknown:
                self.add_error("child_ids", f"The store has no child with id {', '.join(unknown[:10])}"
                               f"{' …' if len(unknown) > 10 else ''} in authority {data['la_code']}")
        return data

    def save(self, allocated_by: User) -> list[AuditAllocation]:
        """The new allocations (a child already allocated to this auditor is left as it was)."""
        auditor, la_code = self.cleaned_data["auditor"], self.cleaned_data["la_code"]
        have = set(auditor.allocations.filter(la_code=la_code).values_list("person_id", flat=True))
        return AuditAllocation.objects.bulk_create([
            AuditAllocation(auditor=auditor, la_code=la_code, person_id=i, allocated_by=allocated_by)
            for i in self.cleaned_data["child_ids"] if i not in have])


class AccessLogFilter(GovukForm):
    """Which entries of the access log to show: by user, by child, between two dates (each optional)."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    child_id = forms.CharField(required=False, max_length=40, label="Child id")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="The first day, for example 2026-03-01")
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
                              help_text="The last day (included)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.order_by("username")
        self.fields["child_id"].widget.attrs["class"] += " govuk-input--width-10"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The last day must be the same as or after the first day")
        return data
