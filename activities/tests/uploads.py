"""The admin's import as an editor clicks through it: a file chosen on the rendered import page, then its preview's
"Confirm import" with the hidden inputs as rendered."""

from django.core.files.uploadedfile import SimpleUploadedFile

from activities.tests.forms import post_form, read_form

IMPORT_URL = "/admin/activities/activity/import/"
CONFIRM_URL = "/admin/activities/activity/process_import/"
# The format picker's options, in the order the page lists them.
FORMAT = {"csv": "0", "json": "1", "xlsx": "2"}


def upload(client, content, name="activities.csv", file_format=None, on_top=False, url=IMPORT_URL):
    """Choose a file on the rendered import page (and a format, if given) and click Submit: the preview page."""
    form = read_form(client.get(url), action="")
    if file_format:
        form.set("format", FORMAT[file_format])
    if on_top:
        form.set("on_top", "on")
    form.attach("import_file", SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode()))
    return post_form(client, form, "Submit")


def confirm_form(preview):
    """The "Confirm import" form under a preview."""
    return read_form(preview, action=preview.wsgi_request.path.replace("/import/", "/process_import/"))


def confirm(client, preview, follow=True):
    """Click "Confirm import" under the preview: the page it leads to (followed), or the redirect itself."""
    return post_form(client, confirm_form(preview), "Confirm import", follow=follow)
