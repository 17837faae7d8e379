"""
How long the admin's import takes for a 1,000-row file: the preview, then the confirmation.

Usage: .venv/bin/python -m bench.admin_import [--rows 1000] [--format csv] [--repeat 3]

Builds a throw-away SQLite database (or uses DATABASE_URL), loads the catalog (69 activities) and signs in
as staff. The file is the admin's own export with every definition edited, plus new custom activities up
to `--rows`. Both steps go through the rendered pages, as a browser would: the import form is read from the
import page, the confirmation from the preview's hidden inputs. Each run starts from the loaded catalog.
Prints each run's preview and confirm times and the median of their sums, with the CPU time they took: on a
busy machine the wall-clock time varies with the other work, the CPU time much less.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def the_file(rows, file_format):
    """The admin's export of the catalog with every definition edited, grown with new rows to `rows`."""
    import tablib

    from activities.resources import ActivityResource

    dataset = ActivityResource().export()
    edited = tablib.Dataset(headers=dataset.headers)
    for row in dataset.dict:
        edited.append([*(row[header] for header in dataset.headers)])
        edited[-1] = tuple(
            f"{value} (edited)" if header == "definition" else value
            for header, value in zip(dataset.headers, edited[-1], strict=True)
        )
    for number in range(rows - len(edited)):
        new = {
            "slug": f"bench-activity-{number}",
            "name": f"Bench activity {number}",
            "category": "general",
            "kind": "custom",
            "position": str(200 + number),
            "definition": f"Recorded when bench event {number} happens.",
        }
        edited.append([new.get(header, "") for header in dataset.headers])
    content = edited.export(file_format)
    return content.encode() if isinstance(content, str) else content


def run_once(client, content, file_format):
    from django.contrib import admin
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities.models import Activity
    from activities.tests.forms import post_form, read_form

    titles = [format_class().get_title() for format_class in admin.site.get_model_admin(Activity).get_import_formats()]
    form = read_form(client.get("/admin/activities/activity/import/"), form_id=None)
    start, start_cpu = time.perf_counter(), time.process_time()
    form.set("format", titles.index(file_format))
    upload = SimpleUploadedFile(f"activities.{file_format}", content)
    preview = client.post("/admin/activities/activity/import/", {**form.data(), "import_file": upload})
    previewed, previewed_cpu = time.perf_counter(), time.process_time()
    assert preview.status_code == 200, preview.status_code
    confirm_form = read_form(preview, action="/admin/activities/activity/process_import/")
    done = post_form(client, confirm_form)
    confirmed, confirmed_cpu = time.perf_counter(), time.process_time()
    assert done.status_code == 302, done.status_code
    return previewed - start, confirmed - previewed, previewed_cpu - start_cpu, confirmed_cpu - previewed_cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--format", default="csv", choices=("csv", "json", "xlsx"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explorer.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from activities.models import Activity, Category, Destination, Relation

    call_command("migrate", verbosity=0)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    user, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True, "is_superuser": True})
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    totals = []
    with override_settings(STORAGES=storages):
        for run in range(args.repeat):
            for model in (Relation, Activity.history.model, Activity, Category.history.model, Category, Destination):
                model.objects.all().delete()
            call_command("load_catalog", verbosity=0)
            content = the_file(args.rows, args.format)
            preview, confirm, preview_cpu, confirm_cpu = run_once(client, content, args.format)
            cpu = preview_cpu + confirm_cpu
            assert Activity.objects.filter(definition__endswith="(edited)").count() == 69
            assert Activity.objects.count() == max(args.rows, 69)
            totals.append((preview + confirm, cpu))
            print(
                f"run {run + 1}: preview {preview:.2f} s ({preview_cpu:.2f} s of CPU), "
                f"confirm {confirm:.2f} s ({confirm_cpu:.2f} s of CPU), together {preview + confirm:.2f} s"
            )
    wall, cpu = (statistics.median(measure) for measure in zip(*totals, strict=True))
    print(f"{args.rows} rows ({args.format}), median of {args.repeat}: {wall:.2f} s ({cpu:.2f} s of CPU)")


if __name__ == "__main__":
    main()
