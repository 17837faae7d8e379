"""
The public pages' validators (ETag, Last-Modified) and render cache, both keyed by the catalog's version.

Database triggers change the version on every write to a catalog table (activities/triggers.py), whatever
the path: the admin, an import, loaddata, QuerySet.update() or raw SQL. So a page kept under one version is
never served once the catalog has changed, and every app server reads the same version from the database.

A page also depends on who asks and how: staff see an Admin link (so they get no validators and no cached
copy), htmx asks for a fragment, the API answers JSON or HTML by the Accept header, the query string picks
the results, and links name the host, scheme and prefix asked for: all of these are in the page's key.

A 304 is only for a page that answers 200: a missing slug or an invalid filter answers its 404 or 400
whatever the request's conditions say (`If-None-Match: *` would otherwise match any address).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.middleware.csp import get_nonce
from django.urls import get_script_prefix
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from activities.models import CatalogVersion


def digest(*parts):
    return hashlib.blake2b("\n".join(parts).encode(errors="backslashreplace"), digest_size=16).hexdigest()


def page_key(request):
    """This page as this visitor gets it: None unless an anonymous visitor reads it (GET or HEAD)."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return None
    return digest(
        request.scheme,
        request.get_host(),
        request.headers.get("HX-Request", ""),
        request.headers.get("Accept", "") if request.path.startswith("/api/") else "",
        get_script_prefix(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )


def reusable(request, response):
    """Whether another anonymous visitor may be sent this very response."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that holds a CSRF token or a CSP nonce belongs to one visitor.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not get_nonce(request)
    )


def rendered(request, key, version, view, *args, **kwargs):
    """The page kept for this key at this catalog version, or the view's answer (kept if it may be reused)."""
    pages = caches["pages"]
    response = pages.get(key, version=version) if settings.EXPLORER_PAGE_CACHE else None
    if response is None:
        response = view(request, *args, **kwargs)
        if settings.EXPLORER_PAGE_CACHE:
            # The API's answers are rendered after the view returns, by content negotiation: render first,
            # since rendering may give the page a CSRF token that makes it one visitor's own.
            if hasattr(response, "render"):
                response.render()
            if reusable(request, response):
                pages.set(key, response, version=version)
    return response


def catalog_page(view):
    """A public page: validators from the catalog's version, and its rendering kept until the version changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        catalog = CatalogVersion.objects.current() if key is not None else None
        if catalog is None:  # not an anonymous read, or a flushed database until its next write
            response = view(request, *args, **kwargs)
        else:
            # A flushed catalog counts its changes again from one: the time tells such versions apart.
            version = f"{catalog.changes}.{catalog.changed.timestamp()}"
            response = rendered(request, key, version, view, *args, **kwargs)
            if response.status_code == 200:
                etag, last_modified = f'"{digest(version, key)}"', int(catalog.changed.timestamp())
                response["ETag"], response["Last-Modified"] = etag, http_date(last_modified)
                response = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        # Browsers and CDNs may keep the page but must ask again before showing it.
        patch_cache_control(response, no_cache=True)
        return response

    return wrapper
