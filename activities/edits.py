"""
What an editor's form holds against what the row held when they opened it and what it holds now.

A form opened at version N and posted after someone else saved version M carries three states of each
field: the base (version N, from history), theirs (version M, the row now) and mine (the posted form).
Fields the editor did not touch take theirs; the fields they did change are theirs to apply on top.
"""

from dataclasses import dataclass

from django.db.models import CharField, TextField
from django.utils.text import capfirst

from activities.models import Activity


def edited_fields(model, names):
    """Those of these names that are fields an editor changes on the row: its columns and its many-to-many
    relations, never its version."""
    opts = model._meta
    fields = {field.name for field in (*opts.concrete_fields, *opts.many_to_many)}
    return [name for name in names if name != "version" and name in fields]


def field_values(instance, names):
    """The values of these form fields on a saved row, as a form's initial data holds them (pks for relations)."""
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        else:
            values[name] = getattr(instance, field.attname)
    return values


def version_values(instance, version, names):
    """The values these fields had at `version`, from history; None when history does not know that version."""
    entry = instance.history.filter(row_version=version).order_by("-history_date", "-history_id").first()
    return None if entry is None else entry_values(entry, names)


def entry_values(entry, names):
    """The values these fields have in one history entry, as `field_values` gives them."""
    values = {}
    for name in names:
        field = entry.instance_type._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(entry, name).values_list(field.m2m_reverse_field_name() + "_id", flat=True))
        else:
            values[name] = getattr(entry, field.attname)
    return values


def readable(instance, name, value):
    """A value as a person reads it: names for relations, “(empty)” for nothing."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        names = list(field.related_model.objects.filter(pk__in=value).values_list("name", flat=True))
        return ", ".join(sorted(names)) or "none"
    if field.is_relation:
        return str(field.related_model.objects.filter(pk=value).first() or "none")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "(empty)" if value in ("", None) else str(value)


@dataclass
class Change:
    """One field that differs between two states of a row."""

    field: str
    label: str
    before: str
    after: str
    words: bool = False  # a text field: its difference is shown word by word


def changes_between(instance, old, new):
    """The fields whose values differ between two states, with readable values, in form order."""
    found = []
    for name, value in new.items():
        if name in old and comparable(old[name]) != comparable(value):
            label = capfirst(instance._meta.get_field(name).verbose_name)
            if name == "destinations" and isinstance(instance, Activity):
                label = "Synced to"
            field = instance._meta.get_field(name)
            words = isinstance(field, CharField | TextField) and not field.choices
            before, after = readable(instance, name, old[name]), readable(instance, name, value)
            found.append(Change(name, label, before, after, words))
    return found


def comparable(value):
    """Form data and model values compared alike: "3" and 3, a list of pks in any order."""
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return "" if value is None else str(value)
