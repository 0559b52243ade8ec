"""GOV.UK Frontend markup for every Django form, ours and the libraries' (allauth's too).

The renderer's bound field adds GOV.UK classes to widgets by type and marks fields in error;
the templates in ``templates/django/forms/`` lay out the form group, label, hint and error
message as the design system does. Ids follow Django's own: ``<id>_helptext`` and
``<id>_error``, which Django already lists in ``aria-describedby``.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.HiddenInput: "",
}
_ERROR_CLASSES = {"govuk-input", "govuk-textarea", "govuk-select", "govuk-file-upload"}


def widget_class(widget) -> str:
    for kind in type(widget).__mro__:
        if kind in _CLASSES:
            return _CLASSES[kind]
    if isinstance(widget, forms.widgets.Input):
        return "govuk-input"
    return ""


class GovukBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        base = widget_class(widget or self.field.widget)
        classes = [base] if base else []
        if base in _ERROR_CLASSES and self.errors:
            classes.append(f"{base}--error")
        existing = (widget or self.field.widget).attrs.get("class", "")
        joined = " ".join(dict.fromkeys(c for c in [*classes, *existing.split()] if c))
        # An empty class would reach every box of a MultiWidget (the date input) and wipe
        # their own GOV.UK classes, leaving full-width boxes.
        if joined:
            attrs["class"] = joined
        return attrs

    @property
    def is_choice_group(self) -> bool:
        return isinstance(self.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))

    @property
    def is_single_checkbox(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)


class GovukFormRenderer(TemplatesSetting):
    bound_field_class = GovukBoundField
    form_template_name = "django/forms/div.html"
    field_template_name = "django/forms/field.html"
