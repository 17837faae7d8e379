"""
What the templates cost, page by page: the template rendering alone, apart from the queries and the view.

    .venv/bin/python -m bench.template_cost            # the pages of bench/load.py, plus the unfiltered list
    .venv/bin/python -m bench.template_cost /activities/?kind=custom hx:/categories/sms/

Each page is requested once through the test client (production settings, render cache off, the committed
catalog); the template and the context its view handed over are kept, and that template is rendered again
and again with that context. Querysets in it are evaluated by then, so this measures the template
language, tags and filters only. Printed per page: CPU µs per render (the best of 5 batches), and Python
function calls per render and per whole request through the test client (cProfile; call counts are the
same on any machine, so they compare runs made minutes or machines apart). "hx:" asks for the htmx fragment.
"""

import sys
import time

from bench.load import PAGES, PROXY_HEADERS
from bench.production import count_calls, setup_in_process

RENDERS = 200


def cpu_us(function, times, batches=5):
    """CPU µs per run of `function`: the best of `batches` (other processes only ever add time)."""
    best = None
    for _ in range(batches):
        started = time.process_time()
        for _ in range(times // batches):
            function()
        spent = (time.process_time() - started) / (times // batches) * 1e6
        best = spent if best is None else min(best, spent)
    return best


def main():
    setup_in_process("templates")
    from django.conf import settings
    from django.template.backends import django as backend
    from django.test import Client

    settings.EXPLORER_PAGE_CACHE = False
    rendered = []
    render = backend.Template.render

    def keep(template, context=None, request=None):
        rendered.append((template, context, request))
        return render(template, context, request)

    backend.Template.render = keep
    client = Client()
    paths = sys.argv[1:] or [*(path for name, path in PAGES.items() if not path.startswith("/api/")), "/activities/"]
    print("| Page | template µs CPU per render | calls per render | calls per request |")
    print("|---|---:|---:|---:|")
    for page in paths:
        fragment = page.startswith("hx:")
        path = page.removeprefix("hx:")
        headers = {**PROXY_HEADERS, **({"HX-Request": "true"} if fragment else {})}

        def request(path=path, headers=headers):
            return client.get(path, headers=headers, HTTP_HOST="127.0.0.1")

        request()
        rendered.clear()
        assert request().status_code == 200, page
        template, context, http_request = rendered[0]

        def again(template=template, context=context, http_request=http_request):
            return render(template, context, http_request)

        per_request = count_calls(request, 20)
        per_render = count_calls(again, 20)
        print(f"| {page} | {cpu_us(again, RENDERS):.0f} | {per_render:.0f} | {per_request:.0f} |")


if __name__ == "__main__":
    main()
