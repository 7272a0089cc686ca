"""Student text is data: nothing a student wrote runs as script where a grader or a student reads it.

formgrader and nbgrader's feedback page turn the graded notebook into HTML with nbconvert, which
passes raw HTML in markdown, HTML and SVG outputs, `javascript:` links and unquoted image sizes
straight into a page that runs with the reader's Jupyter session (an instructor's can rewrite
`nbgrader_config.py`, which is Python that runs at every grading). `NeutraliseStudentHtml`
rewrites, in the graded notebook, everything the instructor did not write:

- a markdown cell not in the instructor's source notebook (a reflection, a cell the student
  added or edited, the grader's notes that quote a file name) is rendered to HTML and cleaned by
  nbconvert's sanitiser (bleach: allowed tags and attributes only, http/https/mailto links), on
  one line inside an element MathJax ignores, so the page shows it as the student wrote it and
  no markdown or TeX is interpreted again;
- a raw cell not in the source loses its output format (nbconvert would paste it in as HTML);
- outputs keep only plain text, cleaned HTML and PNG/JPEG/GIF images with numeric sizes;
- cell ids and tags that are not plain names (they become HTML attributes) are replaced;
- the notebook's widget state and title are dropped.

It runs last in autograde (the graded notebook formgrader shows) and first in generate_feedback
(so a notebook graded before this step existed is cleaned too). A cell identical to one in the
instructor's source is left alone: it is the instructor's text. Without the source, every cell
is treated as the student's (fails closed).
"""
from __future__ import annotations

import re
import uuid

from ..base import CoursePreprocessor
from ..intake.trusted import TrustedSourceError, read_source_notebook

# MathJax 2 skips elements of class tex2jax_ignore, MathJax 3 those of class mathjax_ignore.
WRAPPER_OPEN = '<div class="course-student-text tex2jax_ignore mathjax_ignore">'
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SAFE_TAG = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
KEPT_IMAGES = ("image/png", "image/jpeg", "image/gif")
KEPT_TYPES = ("text/plain", "text/html", *KEPT_IMAGES)
RAW_FORMAT_KEYS = ("format", "raw_mimetype")


# What rendered markdown and a plain HTML table need, and nothing that acts: no script, style,
# form, frame or event attribute; no class or id either (formgrader binds its buttons by class);
# no images (a remote one would tell a student when and from where the grader read their work).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"],
                      "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_html(html: str) -> str:
    """HTML with only harmless tags, attributes and link schemes, on one line, never re-read as
    markdown or TeX. Newlines become character references: inside <pre> they still break lines."""
    import bleach

    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                           protocols=ALLOWED_PROTOCOLS, strip=False, strip_comments=True)
    cleaned = cleaned.replace("\r", "").replace("\n", "&#10;")
    return f"{WRAPPER_OPEN}{cleaned}</div>"


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")


def markdown_literal(text: object, limit: int = 300) -> str:
    """Student text (a file name, an item id) to put in a course-written markdown cell: shown as
    it is, never read as HTML, markdown or TeX; cut at `limit` characters."""
    import html

    text = " ".join(str(text).split())  # no line breaks: a name cannot start a new block
    if len(text) > limit:
        text = text[:limit] + "…"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def markdown_as_safe_html(source: str) -> str:
    from nbconvert.filters.markdown import markdown2html

    return clean_html(markdown2html(source))


def safe_output(output: dict) -> dict | None:
    """The output with only inert content, or None when nothing inert is left."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output  # stream and error text is escaped by every template
    data = output.get("data", {})
    kept = {}
    for mime in KEPT_TYPES:
        if mime in data:
            value = data[mime]
            text = "".join(value) if isinstance(value, list) else value
            kept[mime] = clean_html(text) if mime == "text/html" else value
    if "text/markdown" in data and "text/html" not in kept:
        value = data["text/markdown"]
        kept["text/html"] = markdown_as_safe_html("".join(value) if isinstance(value, list) else value)
    if not kept:
        if "text/plain" not in data and output.get("output_type") == "display_data":
            return None
        kept["text/plain"] = ""
    output["data"] = kept
    # Image sizes land in an unquoted attribute (`width={{ width }}`): numbers only.
    metadata = {}
    for mime, meta in (output.get("metadata") or {}).items():
        if mime in KEPT_IMAGES and isinstance(meta, dict):
            sizes = {k: v for k, v in meta.items() if k in ("width", "height")
                     and isinstance(v, (int, float)) and not isinstance(v, bool)}
            if sizes:
                metadata[mime] = sizes
    output["metadata"] = metadata
    return output


class NeutraliseStudentHtml(CoursePreprocessor):
    """Everything in the graded notebook the instructor did not write is made inert HTML."""

    def preprocess(self, nb, resources):
        instructor = self._instructor_cells(resources)
        changed = 0
        for cell in nb.cells:
            changed += self._neutralise(cell, instructor)
        for key in ("widgets", "title"):
            nb.metadata.pop(key, None)
        if changed:
            info = resources.get("nbgrader", {})
            self.log.info("%s/%s: %d cell(s) of student text made inert for the browser",
                          info.get("student"), info.get("notebook"), changed)
        return nb, resources

    def _instructor_cells(self, resources) -> set[tuple[str, str]]:
        info = resources.get("nbgrader", {})
        try:
            source = read_source_notebook(self.config, info.get("assignment"), info.get("notebook"))
        except TrustedSourceError as exc:
            self.log.warning("%s: every cell is treated as the student's text", exc)
            return set()
        return {(c.cell_type, c.source) for c in source.cells}

    @staticmethod
    def _neutralise(cell, instructor: set[tuple[str, str]]) -> int:
        if not SAFE_NAME.match(str(cell.get("id", "x"))):
            cell["id"] = uuid.uuid4().hex[:8]
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            cell.metadata["tags"] = [t for t in tags if isinstance(t, str) and SAFE_TAG.match(t)] \
                if isinstance(tags, list) else []
        if cell.cell_type == "code":
            outputs = [safe_output(o) for o in cell.get("outputs", [])]
            cell.outputs = [o for o in outputs if o is not None]
            return 0
        if (cell.cell_type, cell.source) in instructor:
            return 0
        if cell.cell_type == "markdown":
            cell.source = markdown_as_safe_html(cell.source)
            cell.pop("attachments", None)  # the cleaned HTML cannot point at them any more
            return 1
        if cell.cell_type == "raw":
            for key in RAW_FORMAT_KEYS:
                cell.metadata.pop(key, None)
            return 1
        return 0
