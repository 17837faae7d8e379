import pytest
from django.core.management import call_command

from activities.models import Activity, Category

pytestmark = pytest.mark.django_db


def test_load_catalog_fills_an_empty_database(db):
    """load_catalog loads the fixture into an empty database."""
    call_command("load_catalog", verbosity=0)
    assert Category.objects.count() == 7
    assert Activity.objects.count() == 69


def test_load_catalog_keeps_edits(catalog, capsys):
    """Loading the catalog again keeps every edit, addition and deletion made since."""
    Activity.objects.filter(slug="sent-email").update(definition="Edited by an editor.")
    Category.objects.filter(slug="talk").update(name="Conversations")
    Activity.objects.create(
        name="Custom thing", slug="custom-thing", category=Category.objects.get(slug="general"), definition="Ours."
    )
    Activity.objects.filter(slug="left-playbook").delete()
    call_command("load_catalog")
    assert "left as it is" in capsys.readouterr().out
    assert Activity.objects.get(slug="sent-email").definition == "Edited by an editor."
    assert Category.objects.get(slug="talk").name == "Conversations"
    assert Activity.objects.filter(slug="custom-thing").exists()
    assert not Activity.objects.filter(slug="left-playbook").exists()


def test_ensure_admin_creates_a_login_once(db, capsys, django_user_model):
    """ensure_admin creates one admin with a random password, then only reminds; --reset gives a new one."""
    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = first.split("password '")[1].split("'")[0]
    assert len(password) >= 12
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    call_command("ensure_admin")
    assert "make admin-password" in capsys.readouterr().out
    assert django_user_model.objects.get(username="admin").check_password(password)

    call_command("ensure_admin", reset=True)
    new_password = capsys.readouterr().out.split("password '")[1].split("'")[0]
    assert new_password != password
    assert django_user_model.objects.get(username="admin").check_password(new_password)


def test_ensure_admin_links_the_admin_where_the_site_is_served(db, capsys):
    """The printed login link names the host and port `make run` serves on, not a fixed one."""
    call_command("ensure_admin", site="http://127.0.0.1:8123")
    assert "at http://127.0.0.1:8123/admin/ " in capsys.readouterr().out
    call_command("ensure_admin", site="http://0.0.0.0:9000/")
    assert "at http://0.0.0.0:9000/admin/ " in capsys.readouterr().out


def test_no_pending_migrations(db):
    """The models and the migrations agree."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
