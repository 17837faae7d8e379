"""
The admin's imported articles: the upload of a newer help article and its drift report, where an editor
accepts or rejects each change (theirs, ours or a merge for a conflict) and applies them in one transaction.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from activities.article import ArticleError, decode, parse_article
from activities.drift import Drift, drift
from activities.drift_apply import ACCEPT, MERGE, OURS, REJECT, THEIRS, Decision, DriftError, apply, non_conflicting
from activities.forms import history_url
from activities.imported_articles import ImportedArticle
from activities.versioning import StaleEdit

UPLOAD_LIMIT = 2 * 1024 * 1024


class ArticleUploadForm(forms.Form):
    article = forms.FileField(help_text="The help article as UTF-8 text, at most 2 MB.")

    def clean_article(self):
        upload = self.cleaned_data["article"]
        if upload.size > UPLOAD_LIMIT:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; an article of at most 2 MB is accepted."
            )
        try:
            text = decode(upload.read())
            parse_article(text)
        except ArticleError as error:
            raise forms.ValidationError(f"Line {error.line}: {error.message}. Nothing was imported.") from None
        return text


def decisions_from(post, report):
    """The editor's decision on each item, as the report's form posts them (an item left out is rejected)."""
    decisions = {}
    for item in report.items:
        action = post.get(f"decision-{item.key}")
        if action not in (ACCEPT, REJECT, THEIRS, OURS, MERGE):
            continue
        version = post.get(f"version-{item.key}")
        merged = {name: post.get(f"merge-{name}-{item.key}", "") for name in ("name", "definition")}
        decisions[item.key] = Decision(action, int(version) if version and version.isdigit() else None, merged)
    return decisions


@admin.register(ImportedArticle)
class ImportedArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "uploaded", "uploaded_by", "imported", "imported_by", "report")
    list_select_related = ("uploaded_by", "imported_by")
    fields = ("sha256", "uploaded", "uploaded_by", "imported", "imported_by", "base", "text")

    def has_add_permission(self, request):
        return False  # an article comes through the upload page, which shows its drift before anything is written

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Drift report")
    def report(self, article):
        url = reverse("admin:activities_importedarticle_drift", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, "Pending: review" if article.imported is None else "View")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="activities_importedarticle_upload"),
            path("<int:pk>/drift/", wrap(self.drift_view), name="activities_importedarticle_drift"),
            *super().get_urls(),
        ]

    def context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def upload_view(self, request):
        """A newer article: checked (size, UTF-8, every line), kept as a pending report, never written yet."""
        if not request.user.has_perm("activities.change_activity"):
            raise PermissionDenied
        form = ArticleUploadForm(request.POST or None, request.FILES or None)
        if form.is_valid():
            base = ImportedArticle.objects.last_imported()
            article = ImportedArticle.objects.pending(form.cleaned_data["article"], base, request.user)
            return redirect("admin:activities_importedarticle_drift", article.pk)
        context = self.context(request, "Upload a newer article", form=form)
        return TemplateResponse(request, "admin/activities/importedarticle/upload.html", context)

    def drift_view(self, request, pk):
        """The drift report of one article: each item side by side, with the editor's decision, then applied."""
        if not request.user.has_perm("activities.change_activity"):
            raise PermissionDenied
        article = get_object_or_404(ImportedArticle, pk=pk)
        report = drift(article.base.text if article.base else "", article.text)
        last = ImportedArticle.objects.last_imported()
        stale = article.imported is None and (last and last.pk) != article.base_id
        if request.method == "POST" and article.imported is None:
            if "_accept_non_conflicting" in request.POST:
                decisions, complete = non_conflicting(report), report.decided_upstream
            else:
                decisions, complete = decisions_from(request.POST, report), True
            removals = [item for item in report.items if item.is_system_removal and item.key in decisions]
            removals = [item for item in removals if decisions[item.key].takes_a_change]
            if removals and "confirm_removal" not in request.POST:
                context = self.context(request, "Remove system activities?", article=article, removals=removals)
                return TemplateResponse(request, "admin/activities/importedarticle/confirm_removal.html", context)
            try:
                applied = apply(article, report, decisions, request.user, complete=complete)
            except DriftError as error:
                self.message_user(request, str(error), messages.ERROR)
            except StaleEdit as error:
                self.message_user(
                    request,
                    format_html(
                        '{} The report now shows it as it is. <a href="{}">See what changed in its history.</a>',
                        error,
                        history_url(error.instance),
                    ),
                    messages.ERROR,
                )
            else:
                self.message_user(request, self.applied_message(applied, complete), messages.SUCCESS)
            return redirect(request.path)
        context = self.context(
            request,
            f"Drift report: {article}",
            article=article,
            report=report,
            stale=stale,
            last=last,
            classes=[(drift, report.of(drift)) for drift in Drift],
        )
        return TemplateResponse(request, "admin/activities/importedarticle/drift.html", context)

    def applied_message(self, applied, complete):
        done = f"Applied {applied} change{'' if applied == 1 else 's'} from the article."
        if complete:
            return f"{done} It is now the last imported article."
        return f"{done} The conflicts and removals still wait for a decision."
