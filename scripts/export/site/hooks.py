"""MkDocs hooks of the course website (site/mkdocs.yml, ``hooks:``).

Each notebook page carries nbconvert's loader for Mermaid diagrams, which would fetch
Mermaid from a CDN on a page that has a diagram. No lesson draws one, and nbconvert
offers no setting for that address, so the loader is pointed at the site itself: a
lesson that adds a diagram gets a missing file, which the browser tests report,
instead of a silent request to the internet.
"""
from __future__ import annotations

import re

CDN_MODULE = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/(mermaid(?:-layout-elk)?)/[^\"'/]+/([\w.-]+\.mjs)")


def on_page_content(html: str, page, config, files) -> str:
    """The page's HTML with Mermaid's modules at ``assets/mermaid/`` of the site."""
    return CDN_MODULE.sub(lambda m: page.file.url.count("/") * "../" + f"assets/mermaid/{m.group(2)}", html)
