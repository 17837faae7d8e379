"""The test helper that submits forms as a browser does: it must send what Chromium sends."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from activities.tests.forms import forms_in, read_form

PAGE = """
<form id="logout-form" method="post" action="/admin/logout/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
</form>
<form id="thing_form" method="post" action="">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input type="hidden" name="version" id="id_version">
  <input type="text" name="name" value="Sent &amp; opened">
  <input type="checkbox" name="destinations" value="1" checked>
  <input type="checkbox" name="destinations" value="2">
  <input type="checkbox" name="flag">
  <input type="text" name="off" value="x" disabled>
  <select name="category"><option value="">---------</option><option value="3">Email</option></select>
  <select name="kind"><option value="system">System</option><option value="custom" selected>Custom</option></select>
  <select name="many" multiple><option value="a">A</option></select>
  <textarea name="definition">
Recorded when.</textarea>
  <input type="hidden" name="rows-TOTAL_FORMS" value="1">
  <input type="text" name="rows-0-name" value="first">
  <input type="text" name="rows-__prefix__-name" value="">
  <input type="hidden" name="rows-__prefix__-version">
  <select name="rows-__prefix__-kind"><option value="a">A</option><option value="b">B</option></select>
  <input type="file" name="upload">
  <input type="submit" name="_save" value="Save">
  <button type="submit" name="_continue">Save and continue editing</button>
</form>
"""


def response_for(html):
    response = HttpResponse(html)
    response.wsgi_request = RequestFactory().get("/admin/things/add/")
    return response


def test_a_browser_sends_empty_inputs_checked_boxes_and_default_options():
    form = read_form(response_for(PAGE))
    assert form.attrs["id"] == "thing_form", "the header's logout form is never the one a person fills in"
    assert form.data("_save") == {
        "csrfmiddlewaretoken": ["t"],
        "version": [""],
        "name": ["Sent & opened"],
        "destinations": ["1"],
        "category": [""],
        "kind": ["custom"],
        "definition": ["Recorded when."],
        "rows-TOTAL_FORMS": ["1"],
        "rows-0-name": ["first"],
        "_save": ["Save"],
    }


def test_inline_rows_come_from_the_empty_template():
    form = read_form(response_for(PAGE))
    form.add_inline_row("rows", {"name": "second"})
    body = form.data("_continue")
    assert body["rows-TOTAL_FORMS"] == ["2"]
    assert body["rows-1-name"] == ["second"]
    assert body["rows-1-version"] == [""]
    assert body["rows-1-kind"] == ["a"], "a copied row's select sends its first option, as the template's does"
    assert body["_continue"] == ["Save and continue editing"]


def test_a_person_can_only_choose_what_the_page_offers():
    form = read_form(response_for(PAGE))
    form.set("destinations", ["1", "2"])
    assert form.values("destinations") == ["1", "2"]
    with pytest.raises(ValueError, match="offers no choice"):
        form.set("category", "99")
    with pytest.raises(KeyError, match="no input named"):
        form.set("typo", "x")
    with pytest.raises(KeyError, match="no button"):
        form.data("_delete")


def test_every_form_on_the_page_is_read():
    assert [form.attrs.get("id") for form in forms_in(PAGE)] == ["logout-form", "thing_form"]


def test_a_copied_row_offers_what_the_template_offers():
    form = read_form(response_for(PAGE))
    row = form.add_inline_row("rows")
    form.set(f"rows-{row}-kind", "b")
    assert form.values("rows-1-kind") == ["b"]
    with pytest.raises(ValueError, match="offers no choice"):
        form.set(f"rows-{row}-kind", "z")


def test_a_chosen_file_is_sent_with_the_form():
    form = read_form(response_for(PAGE))
    upload = SimpleUploadedFile("rows.csv", b"name\n")
    form.attach("upload", upload)
    assert form.data("_save")["upload"] is upload
    with pytest.raises(KeyError, match="no file input"):
        form.attach("name", upload)
