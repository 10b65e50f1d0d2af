"""The main content of a web page, its links and what it says about itself (title, date,
robots directives, canonical URL).

City websites wrap every page in the same navigation, header, footer, sidebars and cookie
banner. Indexed as they are, every page would match "Öffnungszeiten" or "Impressum".
:func:`read_page` keeps the main content (``<main>``, ``role="main"``, a single
``<article>``, an element named ``content``/``inhalt``, else the block densest in
paragraph text) without navigation, forms, scripts and banners, and returns it as a small
HTML document for the normal HTML parser, so its headings become sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "nav",
    "aside",
    "dialog",
)
_CHROME_TAGS = ("header", "footer")
"""Page chrome outside the main content; inside an article they are kept (its title)."""
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
_BANNER = re.compile(
    r"cookie|consent|gdpr|dsgvo|datenschutzhinweis|cc-window|privacy-?banner|"
    r"breadcrumb|skip-?link|sprungmarke|social|share|teilen|print|drucken|"
    r"back-?to-?top|nach-?oben|newsletter|pagination|pager",
    re.IGNORECASE,
)
"""Names (class, id) of blocks that are never content, wherever they are."""
_CHROME = re.compile(
    r"(^|[-_\s])(nav|navigation|navbar|menu|menue|sidebar|marginal|footer|fusszeile|"
    r"header|kopfzeile|topbar|service-?links|metanav|quicklinks)([-_\s]|$)",
    re.IGNORECASE,
)
"""Names of page chrome: removed outside the main content only."""
_CONTENT = re.compile(r"^(main-?content|content|inhalt|hauptinhalt|main|maincontent)$", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_DATE_META = (
    "dcterms.modified",
    "dc.date.modified",
    "article:modified_time",
    "og:updated_time",
    "last-modified",
    "dcterms.date",
    "dc.date",
    "date",
    "article:published_time",
    "dcterms.created",
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


@dataclass(slots=True)
class HtmlPage:
    """A web page read by :func:`read_page`.

    :param html: the main content as a small HTML document (UTF-8), or ``b""`` if the
        page has no text.
    :param title: ``og:title``, else the main content's ``<h1>``, else ``<title>``.
    :param date: ISO date from the page's metadata or a ``<time>`` in the main content.
    :param links: absolute http(s) URLs the page links to (without fragments; ``nofollow``
        links left out), in order, without duplicates.
    :param noindex: the page asks not to be indexed (``<meta name="robots">``).
    :param nofollow: the page asks that its links are not followed.
    :param canonical: the absolute http(s) URL the page names as its own
        (``<link rel="canonical">``), normalised; ``None`` if it names none.
    """

    html: bytes
    title: str | None = None
    date: str | None = None
    links: list[str] = field(default_factory=list)
    noindex: bool = False
    nofollow: bool = False
    canonical: str | None = None


def normalise_url(url: str) -> str:
    """:returns: ``url`` without fragment, scheme and host in lower case, default port
    dropped, empty path as ``/``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in (("http", 80), ("https", 443))
        else (f"{host}:{port}")
    )
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _charset(content: bytes, declared: str | None) -> str:
    if declared:
        return declared
    found = _CHARSET.search(content[:4096])
    if found:
        return found.group(1).decode("ascii", "replace")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


def _text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def _names(node: lxml.html.HtmlElement) -> str:
    return f"{node.get('class', '')} {node.get('id', '')}"


def _drop(node: lxml.html.HtmlElement) -> None:
    parent = node.getparent()
    if parent is not None:
        node.drop_tree()


def _hidden(node: lxml.html.HtmlElement) -> bool:
    return (
        node.get("hidden") is not None
        or node.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(node.get("style", "")))
    )


def _remove_boilerplate(root: lxml.html.HtmlElement, *, chrome: bool) -> None:
    """Drop what is never content; with ``chrome``, also page chrome (outside the main
    content: header, footer, navigation named by class or role)."""
    for node in list(root.iter(etree.Element)):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        tag = node.tag.lower()
        names = _names(node)
        if (
            tag in _DROPPED_TAGS
            or _hidden(node)
            or node.get("role", "").lower() in _CHROME_ROLES
            or (names.strip() and _BANNER.search(names))
            or (chrome and (tag in _CHROME_TAGS or (names.strip() and _CHROME.search(names))))
        ):
            _drop(node)
    for comment in list(root.iter(etree.Comment)):
        _drop(comment)


def _paragraph_score(node: lxml.html.HtmlElement) -> float:
    """Text in paragraphs, lists and headings, less text in links (a link list is no content)."""
    text = sum(len(_text(p)) for p in node.iter("p", "li", "td", "h2", "h3", "dd"))
    links = sum(len(_text(a)) for a in node.iter("a"))
    return text - 2 * links


def _main_node(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for path in ("//main", "//*[@role='main']"):
        found = [node for node in body.xpath(path) if _text(node)]
        if found:
            return max(found, key=lambda node: len(_text(node)))
    articles = [node for node in body.xpath("//article") if _text(node)]
    if len(articles) == 1:
        return articles[0]
    named = [
        node
        for node in body.iter("div", "section")
        if any(_CONTENT.match(name) for name in _names(node).split()) and _text(node)
    ]
    if named:
        return max(named, key=lambda node: len(_text(node)))
    blocks = [node for node in body.iter("div", "section", "td") if _text(node)]
    best = max(blocks, key=_paragraph_score, default=None)
    if best is not None and _paragraph_score(best) > 0.5 * _paragraph_score(body):
        return best
    return body


def _meta(doc: lxml.html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in doc.iter("meta"):
        key = (node.get("name") or node.get("property") or node.get("http-equiv") or "").lower()
        value = (node.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _iso(text: str) -> str | None:
    match = _ISO_DATE.search(text)
    if match:
        return match.group(0)
    german = _GERMAN_DATE.search(text)
    if german:
        day, month, year = (int(part) for part in german.groups())
        if 1 <= day <= 31 and 1 <= month <= 12:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _links(doc: lxml.html.HtmlElement, base: str) -> list[str]:
    links: dict[str, None] = {}
    for anchor in doc.iter("a", "area"):
        href = (anchor.get("href") or "").strip()
        if not href or "nofollow" in (anchor.get("rel") or "").lower():
            continue
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme in ("http", "https"):
            links[normalise_url(absolute)] = None
    return list(links)


def _canonical(doc: lxml.html.HtmlElement, base: str) -> str | None:
    """The first ``<link rel="canonical">``, absolute and normalised (http(s) only)."""
    for node in doc.iter("link"):
        href = (node.get("href") or "").strip()
        if href and "canonical" in (node.get("rel") or "").lower().split():
            absolute = urljoin(base, href)
            return (
                normalise_url(absolute) if urlsplit(absolute).scheme in ("http", "https") else None
            )
    return None


def _document(title: str | None, body: str) -> bytes:
    head = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">{head}</head>'
        f"<body>\n{body}\n</body></html>\n"
    ).encode()


def read_page(content: bytes, url: str, *, charset: str | None = None) -> HtmlPage:
    """Read a web page: main content, title, date, links, robots directives, canonical URL.

    :param content: the page's bytes.
    :param url: where it was fetched (links are resolved against it or ``<base>``).
    :param charset: the charset the server declared, if any.
    :returns: the page.
    :raises ValueError: when the bytes are not HTML at all.
    """
    parser = lxml.html.HTMLParser(encoding=_charset(content, charset), remove_comments=True)
    try:
        doc = lxml.html.document_fromstring(content, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        msg = f"{url} is not readable HTML ({exc})"
        raise ValueError(msg) from exc
    meta = _meta(doc)
    robots = meta.get("robots", "").lower()
    base_href = doc.xpath("string(//base/@href)")
    base = urljoin(url, base_href) if base_href else url
    links = _links(doc, base)
    canonical = _canonical(doc, base)
    body = doc.find("body")
    if body is None:
        return HtmlPage(html=b"", links=links, canonical=canonical)
    _remove_boilerplate(body, chrome=False)
    main = _main_node(body)
    if main is body:  # no main content found: at least strip the page chrome
        _remove_boilerplate(body, chrome=True)
    page_title = " ".join((doc.findtext(".//title") or "").split()) or None
    heading = main.find(".//h1")
    title = (
        " ".join(meta.get("og:title", "").split())
        or (_text(heading) if heading is not None else "")
        or page_title
    )
    date = next((iso for key in _DATE_META if (iso := _iso(meta.get(key, "")))), None)
    if date is None:
        for node in main.iter("time"):
            date = _iso(node.get("datetime") or "") or _iso(_text(node))
            if date:
                break
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in main)
    leading = main.text or ""
    html = _document(title, escape(leading) + inner) if _text(main) else b""
    return HtmlPage(
        html=html,
        title=title,
        date=date,
        links=[] if "nofollow" in robots or "none" in robots else links,
        noindex="noindex" in robots or "none" in robots,
        nofollow="nofollow" in robots or "none" in robots,
        canonical=canonical,
    )
