from django import forms
from django.urls import reverse
from django.utils.html import format_html

from activities.models import Category


def history_url(instance):
    """The admin page that lists every saved version of this row, with what changed."""
    opts = instance._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[instance.pk])


def stale_message(instance, opened_version):
    """Why a save was refused, and where to see the change that got there first."""
    opened = f"version {opened_version}" if opened_version else "an unknown version"
    return format_html(
        "{} “{}” was changed by someone else while you were editing it (you opened {}, "
        "it is now at version {}). Your changes were not saved; they are still in the form below. "
        '<a href="{}">See what changed in its history</a>, then reload the page and make your edit again.',
        instance._meta.verbose_name.capitalize(),
        instance,
        opened,
        instance.version,
        history_url(instance),
    )


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version it was opened at, and refuses to save over a newer one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self):
        cleaned_data = super().clean()
        # The instance was read from the database for this request, so it holds the current version.
        if self.instance.pk is not None and not self.instance._state.adding:
            opened = cleaned_data.get("version")
            if opened != self.instance.version:
                raise forms.ValidationError(stale_message(self.instance, opened), code="stale")
        return cleaned_data


class MoveToCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), empty_label=None, help_text="The selected activities move here."
    )
