from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from activities.edits import changes_between, edited_fields, field_values, version_values
from activities.models import Category, Destination


def history_url(instance):
    """The admin page that lists every saved version of this row, with what changed."""
    opts = instance._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[instance.pk])


def stale_message(current, opened, changes, mine, conflicts):
    """Why a save was refused, what changed since the editor opened the row, and what saving now would do."""
    latest = current.history.order_by("-history_date", "-history_id").first()
    by = " by someone else"
    if latest is not None and latest.row_version == current.version:
        who = latest.history_user.get_username() if latest.history_user else "someone else"
        by = f" by {who} on {date_format(localtime(latest.history_date), 'j M Y, H:i')}"
    opened_text = f"version {opened}" if opened else "an unknown version"
    parts = [
        format_html(
            "{} “{}” was changed{} while you were editing it (you opened {}, it is now at version {}). "
            "Nothing was saved.",
            current._meta.verbose_name.capitalize(),
            current,
            by,
            opened_text,
            current.version,
        )
    ]
    if changes is None:
        parts.append(
            format_html(
                " Its history does not record what {} held, so the changes cannot be listed here. "
                "Your input is kept below; saving it now writes every field as the form shows it.",
                opened_text,
            )
        )
    else:
        items = format_html_join("", "<li>{}: {} → {}</li>", ((c.label, c.before, c.after) for c in changes))
        parts.append(format_html(" What changed in the meantime:<ul>{}</ul>", items))
        parts.append(
            format_html(
                "Your changes to {} are kept in the form below, now on top of version {}: press Save to apply them.",
                ", ".join(mine),
                current.version,
            )
        )
        if conflicts:
            parts.append(
                format_html(
                    " {} changed in the meantime too: saving keeps your text, so compare it with the above first.",
                    " and ".join(conflicts),
                )
            )
    parts.append(format_html(' <a href="{}">See its whole history.</a>', history_url(current)))
    return format_html("{}" * len(parts), *parts)


class VersionedModelForm(forms.ModelForm):
    """
    A model form that carries the version it was opened at. Posted after someone else saved, it is refused
    if its editor changed anything, and shown again with their changes kept on top of the current version;
    a form whose editor changed nothing just takes the current row (an untouched inline row never blocks).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = None
        reverting_to = getattr(self.instance, "_history", None)
        if reverting_to is not None and "destinations" in self.fields:
            # A copy rebuilt from history would otherwise show today's destinations.
            self.initial["destinations"] = sorted(reverting_to.destinations.values_list("destination_id", flat=True))
        if self.is_bound and not self.adding:
            opened = self.opened_version()
            if opened is not None and opened != self.instance.version:
                self.base = version_values(self.instance, opened, self.model_field_names())
                if self.base is not None:
                    # What the editor changed is measured against what they opened, not against the row now.
                    self.initial.update(self.base)

    @property
    def adding(self):
        return self.instance._state.adding or self.instance.pk is None

    def opened_version(self):
        try:
            return int(self.data.get(self.add_prefix("version")))
        except (TypeError, ValueError):
            return None

    def model_field_names(self):
        return edited_fields(self._meta.model, self.fields)

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != "version"]

    def clean(self):
        cleaned_data = super().clean()
        if self.adding:
            # A new row starts at the first version, whatever the (empty) hidden input said.
            cleaned_data["version"] = self.instance.version
            return cleaned_data
        # The instance was read from the database for this request, so it holds the current version.
        opened = cleaned_data.get("version")
        if opened == self.instance.version:
            return cleaned_data
        current = type(self.instance)._base_manager.get(pk=self.instance.pk)
        names = self.model_field_names()
        mine = [name for name in self.changed_data if name in names]
        if self.base is not None and not mine:
            # Nothing of this editor's to save here: the row stays as it is now.
            for name in names:
                value = getattr(current, name)
                cleaned_data[name] = list(value.all()) if self._meta.model._meta.get_field(name).many_to_many else value
            cleaned_data["version"] = current.version
            return cleaned_data
        theirs = field_values(current, names)
        changes = None if self.base is None else changes_between(current, self.base, theirs)
        conflicts = [change.label for change in changes or () if change.field in mine]
        self.keep_on_top_of(current, theirs, mine)
        raise forms.ValidationError(
            stale_message(current, opened, changes, [self.fields[name].label or name for name in mine], conflicts),
            code="stale",
        )

    def keep_on_top_of(self, current, theirs, mine):
        """Show the form again as the current row with this editor's changes on it, ready to save."""
        data = self.data.copy()
        if self.base is not None:
            for name, value in theirs.items():
                if name not in mine:
                    data.setlist(
                        self.add_prefix(name),
                        [str(item) for item in value]
                        if isinstance(value, list)
                        else ["" if value is None else str(value)],
                    )
        data[self.add_prefix("version")] = str(current.version)
        self.data = data


class MoveToCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), empty_label=None, help_text="The selected activities move here."
    )


class DestinationChangeForm(forms.Form):
    how = forms.ChoiceField(
        label="Change",
        choices=(
            ("add", "Add these destinations"),
            ("remove", "Remove these destinations"),
            ("set", "Replace every destination with exactly these"),
        ),
        widget=forms.RadioSelect,
        initial="add",
    )
    destinations = forms.ModelMultipleChoiceField(
        queryset=Destination.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("how") in ("add", "remove") and not cleaned.get("destinations"):
            raise forms.ValidationError("Choose at least one destination to add or remove.")
        return cleaned
