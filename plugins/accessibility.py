"""Accessibility fixes for the pages Datasette and its plugins draw: names for their unnamed form controls
(static/accessibility.js). The language, skip link and focus outline are in templates/base.html and
static/explorer.css."""

from datasette import hookimpl


@hookimpl
def extra_js_urls(datasette):
    # a module script runs once the page is parsed
    return [{"url": datasette.urls.path("/static/accessibility.js"), "module": True}]
