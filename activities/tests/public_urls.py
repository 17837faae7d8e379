"""
Every public URL, in one place, for the tests that must cover them all (headers, conditional GET, fuzzing).

A new public page, export or API endpoint is added here, and those tests cover it at once.
"""

# What the catalog holds, as pages, exports and API answers: validators and the render cache follow its version.
PUBLIC_URLS = (
    "/",
    "/categories/email/",
    "/activities/",
    "/activities/sent-email/",
    "/activities.csv",
    "/activities.json",
    "/destinations/webhook/",
    "/destinations/webhook/plan.csv",
    "/destinations/webhook/plan.json",
    # A past range: what the page shows there does not depend on when the catalog was loaded.
    "/changes/?start=2026-01-01&end=2026-01-02",
    "/api/categories/",
    "/api/categories/email/",
    "/api/activities/",
    "/api/activities/sent-email/",
    "/api/changes/?start=2026-01-01&end=2026-01-02",
    "/categories/",
    "/destinations/",
    "/sync-plan/",
    "/sync-plan/?undecided=salesforce&category=sms",
    "/plan.csv",
    "/plan.json",
    "/api/",
    "/api/destinations/",
    "/api/destinations/webhook/",
)

# The same whatever the catalog holds (the API's schema and docs), or never cached (the load balancer's probe):
# security headers and fuzzing cover them, the catalog's validators do not.
SERVICE_URLS = (
    "/api/schema/",
    "/api/docs/",
    "/healthz",
)

EVERY_PUBLIC_URL = PUBLIC_URLS + SERVICE_URLS
