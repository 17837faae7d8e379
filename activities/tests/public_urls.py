"""
Every public URL, in one place, for the tests that must cover them all (headers, conditional GET, fuzzing).

A new public page or API endpoint is added here, and those tests cover it at once.
"""

PUBLIC_URLS = (
    "/",
    "/categories/email/",
    "/activities/",
    "/activities/sent-email/",
    "/destinations/webhook/",
    "/api/categories/",
    "/api/categories/email/",
    "/api/activities/",
    "/api/activities/sent-email/",
)
