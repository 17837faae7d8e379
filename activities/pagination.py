"""Pagination that knows when a broad search's count stopped at SEARCH_COUNT_LIMIT, for the pages and the API."""

from functools import cached_property, partial

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class SearchPaginator(Paginator):
    """
    A paginator over a search's results (`search`, SearchResults or None): its count is the search's, which
    for a broad search is how many it lists (at most the limit), and `capped` says that more than `limit` matched.
    """

    def __init__(self, object_list, per_page, search=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.search = search

    @property
    def capped(self):
        return bool(self.search and self.search.capped)

    @property
    def limit(self):
        return self.search.limit if self.search else None

    @cached_property
    def count(self):
        if self.search is not None:
            return self.search.count
        return super().count


class SearchPagination(PageNumberPagination):
    """DRF's page numbers, with `count_capped`: true when a broad search's count stopped at the limit."""

    django_paginator_class = SearchPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # The API's FilterSet (kept on the view by SearchFilterBackend) holds the search's count.
        filterset = getattr(view, "filterset", None)
        self.django_paginator_class = partial(SearchPaginator, search=filterset and filterset.searched())
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {
            "count": response.data["count"],
            "count_capped": self.page.paginator.capped,
            **{key: value for key, value in response.data.items() if key != "count"},
        }
        search = self.page.paginator.search
        if search and search.query:
            response.data["search"] = search.query.summary()
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
        schema["properties"]["search"] = SEARCH_SCHEMA
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema


WORDS = {"type": "array", "items": {"type": "string"}}
SEARCH_SCHEMA = {
    "type": "object",
    "description": (
        "How the search `q` was read, present when `q` holds words. When no activity matches every word, words"
        " are dropped (those matching nothing first, then the most common) until some activity matches."
    ),
    "properties": {
        "used": {**WORDS, "description": "The words and phrases searched for, as typed.", "example": ["chat"]},
        "dropped": {
            **WORDS,
            "description": "The words and phrases left out because no activity matched them all.",
            "example": ["ended"],
        },
        "corrected": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Each misspelt word, as typed, and the word it was read as.",
            "example": {"bounse": "bounce"},
        },
    },
    "required": ["used", "dropped", "corrected"],
}
