"""MkDocs hooks of the course website (site/mkdocs.yml, ``hooks:``).

Each notebook page carries nbconvert's loader for Mermaid diagrams, which would fetch
Mermaid from a CDN on a page that has a diagram. No lesson draws one, and nbconvert
offers no setting for that address, so the loader is pointed at the site itself: a
lesson that adds a diagram gets a missing file, which the browser tests report,
instead of a silent request to the internet.

The exercise pages (10, 11) name every idea of the lessons, often in their headings,
so in the site's search they would outrank the lesson that teaches the idea: their
entries get half the weight, and a search for "TinyVGG" shows notebook 05 first.
"""
from __future__ import annotations

import re

CDN_MODULE = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/(mermaid(?:-layout-elk)?)/[^\"'/]+/([\w.-]+\.mjs)")


#: Search weight of the exercise pages' entries (Material's ``search.boost``; lessons keep 1).
EXERCISE_PAGES_BOOST = 0.5


def on_page_content(html: str, page, config, files) -> str:
    """The page's HTML with Mermaid's modules at ``assets/mermaid/`` of the site; the
    exercise pages' search weight lowered (read by the search plugin after this event)."""
    if page.file.name.startswith(("10_", "11_")):
        page.meta["search"] = {**(page.meta.get("search") or {}), "boost": EXERCISE_PAGES_BOOST}
    return CDN_MODULE.sub(lambda m: page.file.url.count("/") * "../" + f"assets/mermaid/{m.group(2)}", html)
