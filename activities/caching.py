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
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

from activities.models import CatalogVersion


def digest(*parts):
    return hashlib.blake2b("\n".join(parts).encode(errors="backslashreplace"), digest_size=16).hexdigest()


def catalog_version(request):
    """The catalog's version, read once per request (the early 304 and the view may both ask)."""
    if not hasattr(request, "_catalog_version"):
        request._catalog_version = CatalogVersion.objects.current()
    return request._catalog_version


def page_key(request):
    """This page as this visitor gets it: None unless an anonymous visitor reads it (GET or HEAD)."""
    # Before the authentication middleware has run (the early 304), a visitor with no session is anonymous.
    if hasattr(request, "user"):
        signed_in = request.user.is_authenticated
    else:
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
    if request.method not in ("GET", "HEAD") or signed_in:
        return None
    return digest(
        request.scheme,
        request.get_host(),
        # META rather than request.headers, which would parse every header of a request that may be a 304.
        request.META.get("HTTP_HX_REQUEST", ""),
        request.META.get("HTTP_ACCEPT", "") if negotiated(request) else "",
        get_script_prefix(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )


def negotiated(request):
    """Whether the Accept header picks the page's format: the API answers JSON or its browsable HTML page."""
    return request.path.startswith("/api/")


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
                pages.set(key, kept(response), version=version)
    return response


def kept(response):
    """
    What the render cache keeps of a page. An API answer is kept as its bytes and headers alone: pickled whole,
    it would carry the serialised data it was rendered from, and every hit would unpickle that data again.
    """
    if not isinstance(response, Response):
        return response
    return HttpResponse(response.content, status=response.status_code, headers=response.headers)


def cache_version(catalog):
    # A flushed catalog counts its changes again from one: the time tells such versions apart.
    return f"{catalog.changes}.{catalog.changed.timestamp()}"


def validators(key, catalog):
    """The page's ETag and its Last-Modified (a timestamp) at this version of the catalog."""
    return f'"{digest(cache_version(catalog), key)}"', int(catalog.changed.timestamp())


def with_validators(request, page, etag, last_modified):
    """The 200 `page` with its validators, or the 304 (or 412) that the request's conditions ask for instead."""
    page["ETag"], page["Last-Modified"] = etag, http_date(last_modified)
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=page)


def validated(request, response):
    """The headers every answer for a public page carries, 200 or 304."""
    patch_vary_headers(response, ("Cookie", "HX-Request", *(("Accept",) if negotiated(request) else ())))
    # Browsers and CDNs may keep the page but must ask again before showing it.
    patch_cache_control(response, no_cache=True)
    return response


def catalog_page(view):
    """A public page: validators from the catalog's version, and its rendering kept until the version changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        catalog = catalog_version(request) if key is not None else None
        if catalog is None:  # not an anonymous read, or a flushed database until its next write
            return validated(request, view(request, *args, **kwargs))
        response = rendered(request, key, cache_version(catalog), view, *args, **kwargs)
        if response.status_code == 200:  # a 404 or a 400 is never "not modified"
            response = with_validators(request, response, *validators(key, catalog))
        return validated(request, response)

    wrapper.catalog_page = True
    return wrapper


def not_modified(request, key, catalog):
    """
    The 304 for an unchanged page, or None when only its view can tell (it goes on through the stack).

    An If-None-Match naming the page's current ETag is proof enough that the page answers 200, since only a 200
    is given validators: its 304 needs nothing else. Other conditions (`*`, a date alone) would match a page
    that answers 404 or 400 too, so they get their 304 here only when the page's 200 is in the render cache.
    """
    etag, last_modified = validators(key, catalog)
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        page = HttpResponse()
    elif settings.EXPLORER_PAGE_CACHE:
        page = caches["pages"].get(key, version=cache_version(catalog))
    else:
        page = None
    if page is None or (response := with_validators(request, page, etag, last_modified)).status_code != 304:
        return None
    return response


class NotModifiedMiddleware:
    """
    A 304 for an unchanged public page, answered before sessions, CSRF, authentication and messages run (most
    of what a 304 costs otherwise) for a visitor without a session. Every other request goes on to its view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        conditional = "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
        if conditional and is_catalog_page(request.path_info):
            # page_key checks the host, as CommonMiddleware would (a host not allowed answers 400).
            key = page_key(request)
            catalog = catalog_version(request) if key is not None else None
            if catalog is not None and (response := not_modified(request, key, catalog)) is not None:
                return validated(request, response)
        return self.get_response(request)


@lru_cache(maxsize=1024)
def is_catalog_page(path_info):
    """Whether a `catalog_page` view serves this path."""
    try:
        return getattr(resolve(path_info).func, "catalog_page", False)
    except Resolver404:
        return False


@receiver(setting_changed)
def forget_resolved_pages(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        is_catalog_page.cache_clear()
