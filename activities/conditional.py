"""
Conditional GET and a render cache for the public pages, both keyed by the catalog's version.

Database triggers change the version on every write to a catalog table (activities/catalog_version.py),
whatever the path: the admin, an import, loaddata, QuerySet.update() or raw SQL. Validators built from it
therefore change whenever a page might, and every app server reads the same version from the database.

A page also depends on who asks and how: staff see an Admin link (so they get no validators and no cached
copy), htmx asks for a fragment (HX-Request is in the validator and in Vary), the query string picks
the results (the whole of it is in the validator), and links are built for the host and scheme asked for
(both are in the validator).

Only GET and HEAD are answered from the cache or with a 304, and a 304 only for a page known to answer 200:
one whose rendered answer is in the cache, or that has just been rendered. A missing slug or an invalid
filter renders its 404 or 400 whatever the request's validators say.
"""

import hashlib
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csp import get_nonce
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from activities.models import CatalogVersion


def catalog_version(request):
    """The catalog's version, read once per request."""
    if not hasattr(request, "_catalog_version"):
        request._catalog_version = CatalogVersion.objects.current()
    return request._catalog_version


def anonymous(request):
    """Whether the visitor is signed out (before AuthenticationMiddleware: has no session cookie at all)."""
    if hasattr(request, "user"):
        return not request.user.is_authenticated
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_etag(request, *args, **kwargs):
    """A validator for this page as this visitor sees it, or None when the page has none."""
    if not hasattr(request, "_catalog_etag"):
        request._catalog_etag = None
        version = catalog_version(request)
        if version is not None and anonymous(request):
            parts = (
                str(version.changes),
                version.changed.isoformat(),
                # Absolute links (the API's `next`, for one) name the host and scheme the request used.
                request.scheme,
                request.get_host(),
                request.META.get("HTTP_HX_REQUEST", ""),
                # The API answers JSON or its browsable HTML page by the Accept header.
                request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else "",
                # Links in the page carry the prefix the site is mounted under.
                get_script_prefix(),
                request.path,
                request.META.get("QUERY_STRING", ""),
            )
            digest = hashlib.blake2b("\n".join(parts).encode(errors="backslashreplace"), digest_size=16)
            request._catalog_etag = f'"{digest.hexdigest()}"'
    return request._catalog_etag


def page_last_modified(request, *args, **kwargs):
    """When the catalog last changed, for visitors whose page has a validator."""
    if page_etag(request) is None:
        return None
    return catalog_version(request).changed


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


SAFE_METHODS = ("GET", "HEAD")


def cache_key(request):
    """The render cache's key for this request, or None when its answer must not come from the cache."""
    if not settings.EXPLORER_PAGE_CACHE or request.method not in SAFE_METHODS:
        return None
    return page_etag(request)


def rendered_once_per_version(view):
    """Serve a page from the render cache while the catalog's version (its ETag) stays the same."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = cache_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        pages = caches["pages"]
        response = pages.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            # The API's responses are rendered after the view returns, by content negotiation: render first.
            if not getattr(response, "is_rendered", True):
                response.render()
            if reusable(request, response):
                pages.set(key, response)
        return response

    return wrapper


def validated(response):
    """The headers every answer for a public page carries, 200 or 304."""
    patch_vary_headers(response, ("Cookie", "HX-Request"))
    # Browsers and CDNs may keep the page but must ask again before showing it.
    patch_cache_control(response, no_cache=True)
    return response


def conditional_answer(request, etag, page):
    """`page` (a 200) with its validators, or the 304 or 412 that the request's conditions ask for instead."""
    last_modified = int(page_last_modified(request).timestamp())
    page["ETag"] = etag
    page["Last-Modified"] = http_date(last_modified)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified, response=page)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


def catalog_page(view):
    """A public page: ETag and Last-Modified from the catalog's version, 304 from the cache without rendering."""
    cached_view = rendered_once_per_version(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = cached_view(request, *args, **kwargs)
        etag = page_etag(request) if request.method in SAFE_METHODS else None
        # Conditions apply only to a page that answers 200: a 404 or a 400 is never "not modified".
        if etag is not None and response.status_code == 200:
            response = conditional_answer(request, etag, response)
        return validated(response)

    wrapper.catalog_page = True
    return wrapper


class NotModifiedMiddleware:
    """
    Answer a conditional request for an unchanged public page from a visitor without a session, before
    sessions, CSRF, authentication and messages run: profiling showed those to be most of a 304's cost.
    Every other request, and any page that did change, goes on through the stack as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and ("HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = self.not_modified(request)
            if response is not None:
                return response
        return self.get_response(request)

    def not_modified(self, request):
        # The host check that CommonMiddleware would otherwise make (a bad host raises DisallowedHost: 400).
        request.get_host()
        key = cache_key(request) if is_catalog_page(request.path_info) else None
        # Only a page whose 200 is in the cache is known to exist: any other goes on to its view.
        page = caches["pages"].get(key) if key is not None else None
        if page is None:
            return None
        response = conditional_answer(request, key, page)
        if response.status_code != 304:
            return None
        return validated(response)


@lru_cache(maxsize=1024)
def is_catalog_page(path_info):
    """Whether this path is served by a `catalog_page` view; resolving costs a 304 more than the rest of it."""
    try:
        return getattr(resolve(path_info).func, "catalog_page", False)
    except Resolver404:
        return False


@receiver(setting_changed)
def forget_resolved_pages(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        is_catalog_page.cache_clear()
