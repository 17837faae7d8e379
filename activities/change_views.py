"""The public pages of what changed: /changes/ and its Atom feeds (one for the catalog, a category, an activity)."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render

from activities import changes
from activities.caching import catalog_page

GROUPS_PER_PAGE = 50


@catalog_page
def change_list(request):
    """Every change between two dates (the last thirty days unless asked), newest first, grouped by activity."""
    form = changes.ChangesForm(request.GET)
    groups = []
    if form.is_valid():
        start, until = form.window()
        data = form.cleaned_data
        groups = changes.changes(
            start, until, data["category"], data["kind"] or None, category_names=form.category_names()
        )
    newest = groups[0].latest.date if groups else None
    return render(
        request,
        "activities/changes.html",
        {
            "form": form,
            "page": Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page")),
            "show_who": request.user.is_staff,
            # The next visit starts just after the newest change listed here.
            "next_since": (newest + timedelta(microseconds=1)).isoformat() if newest else None,
        },
    )
