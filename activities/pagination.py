"""Pagination that knows when a broad search's count stopped at SEARCH_COUNT_LIMIT, for the pages and the API."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from activities.search import listed


class SearchPaginator(Paginator):
    """
    A paginator over a search that stops counting at its limit: `count` is then how many it lists
    (at most the limit), and `capped` says that more than `limit` matched.
    """

    capped = False

    @property
    def limit(self):
        return getattr(getattr(self.object_list, "query", None), "search_limit", None)

    @cached_property
    def count(self):
        counts = getattr(getattr(self.object_list, "query", None), "search_counts", None)
        if not (counts and self.limit):
            return Paginator.count.func(self)
        # The search's two bounded counts replace COUNT(*) over every match, in one query as well.
        (matched, matched_params), (by_name, by_name_params) = counts["matched"], counts["by_name"]
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(f"SELECT {matched}, {by_name}", [*matched_params, *by_name_params])
            matched, by_name = cursor.fetchone()
        # The page's SQL, compiled after this, then holds only the ranking these counts call for.
        counts["known"] = (matched, by_name)
        self.capped = matched > self.limit
        return listed(matched, by_name, self.limit)


class SearchPagination(PageNumberPagination):
    """DRF's page numbers, with `count_capped`: true when a broad search's count stopped at the limit."""

    django_paginator_class = SearchPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {
            "count": response.data["count"],
            "count_capped": self.page.paginator.capped,
            **{key: value for key, value in response.data.items() if key != "count"},
        }
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            "How many activities match. A search matching more than SEARCH_COUNT_LIMIT (1,000) stops counting"
            " there: `count` is then the limit, `count_capped` is true, and pages reach the limit's best matches."
        )
        schema["properties"] = {
            "count": schema["properties"]["count"],
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": "True when a broad search matched more than `count`: the count is a lower bound.",
            },
            **{key: value for key, value in schema["properties"].items() if key != "count"},
        }
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema
