"""Student text is data (course/grading/feedback/student_html.py), checked on the HTML nbgrader really makes.

A graded notebook carries a payload in every route a student controls: a reflection, an added
markdown cell, a raw HTML cell, HTML, markdown, SVG and JavaScript outputs, an image size, a cell
id and tag, widget state, and the grader's notes quoting a file name and an item id. It is
turned into HTML with nbconvert and nbgrader's own formgrade and feedback templates, as
formgrader and generate_feedback do, and the page is searched for anything that could run.
The same search on the notebook before the step finds the payloads, so the test can fail.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from traitlets.config import Config

from course.grading.feedback.student_html import NeutraliseStudentHtml, markdown_literal
from course.grading.state import AnswersSnapshot, GradingState
from course.grading.steps import AddGraderNotes

A = "lesson"
PAYLOAD = '<img src=x onerror="window.__xss=1">'
INSTRUCTOR_TEXT = "## What you will learn\n\nListening *first*."


def graded_notebook() -> nbformat.NotebookNode:
    reflection = new_markdown_cell(f"My reflection {PAYLOAD}<script>window.__xss=2</script>\n\n"
                                   "[click me](javascript:window.__xss=3) <javascript:window.__xss=4>\n\n"
                                   "$\\href{javascript:window.__xss=5}{maths}$")
    reflection.metadata["nbgrader"] = {"solution": True, "grade": True, "grade_id": "reflection",
                                       "points": 3, "score": 0, "schema_version": 3}
    raw = new_raw_cell(f"<svg onload='window.__xss=6'></svg>{PAYLOAD}")
    raw.metadata["format"] = "text/html"
    code = new_code_cell("display(...)")
    code.outputs = [
        new_output("display_data", data={"text/html": f"<b>bold</b>{PAYLOAD}", "text/plain": "x"}),
        new_output("display_data", data={"application/javascript": "window.__xss=7"}),
        new_output("display_data", data={"image/svg+xml": "<svg onload='window.__xss=8'/>", "text/plain": "s"}),
        new_output("display_data", data={"text/markdown": f"**md** {PAYLOAD}"}),
        new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                   metadata={"image/png": {"width": "1 onerror=window.__xss=9"}}),
    ]
    code.metadata["tags"] = ['t"><img src=x onerror=window.__xss=11>', "fine-tag"]
    nb = new_notebook(cells=[new_markdown_cell(INSTRUCTOR_TEXT), reflection, raw, code,
                             new_markdown_cell(f"A cell the student added {PAYLOAD}")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    # What the grader's notes quote: a copied cell's note and the answers file's problems.
    nb.metadata["course_grading"] = {"notes": [f"{A}/{PAYLOAD}.txt: unexpected file in the submission; ignored"]}
    return nb


@pytest.fixture
def course(tmp_path) -> Config:
    source = new_notebook(cells=[new_markdown_cell(INSTRUCTOR_TEXT)])
    (tmp_path / "source" / A).mkdir(parents=True)
    nbformat.write(source, tmp_path / "source" / A / f"{A}.ipynb")
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    return config


def resources() -> dict:
    resources = {"nbgrader": {"assignment": A, "notebook": A, "student": "s1"}}
    GradingState(resources).snapshot = AnswersSnapshot(
        problems=[f"answers for unknown items ['{PAYLOAD}'] were ignored"])
    return resources


def render(nb, template: str) -> str:
    """The page formgrader ('formgrade') or generate_feedback ('feedback') makes of a notebook."""
    import nbgrader.server_extensions.formgrader.handlers as handlers
    from nbconvert.exporters import HTMLExporter

    config = Config()
    config.HTMLExporter.template_name = template
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.HTMLExporter.extra_template_paths = [    # bootstrap's CSS, as generate_feedback adds it
        str(Path(handlers.template_path).parent / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    config.HTMLExporter.sanitize_html = True   # as the course's nbgrader_config.py sets it
    page = {"base_url": "/", "index": 0, "total": 1, "notebook_id": A,   # what each page's template reads
            "nbgrader": {"notebook": A, "score": 0, "max_score": 3, "late_penalty": 0}}
    html, _ = HTMLExporter(config=config).from_notebook_node(nb, resources=page)
    return html


def active_parts(html: str) -> list[str]:
    """Whatever in a page could run the payloads: event attributes, script links, scripts, SVG."""
    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            # nbgrader's own pages have a few handlers of their own (toggle_name): only the payloads count
            if (name.lower().startswith("on") and "__xss" in text) or "javascript:" in text.replace(" ", "").lower():
                found.append(f"<{tag.name} {name}={text!r}>")
        if tag.name in ("script", "svg", "iframe", "object", "embed") and "__xss" in str(tag):
            found.append(str(tag)[:120])
    if "__xss=5" in html and "tex2jax_ignore" not in html:
        found.append("TeX with a javascript: link, read by MathJax")
    return found


def neutralised(config) -> nbformat.NotebookNode:
    nb, res = graded_notebook(), resources()
    nb, res = AddGraderNotes(config=config).preprocess(nb, res)
    nb, _ = NeutraliseStudentHtml(config=config).preprocess(nb, res)
    return nb


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_the_payloads_run_in_nbgraders_pages_without_the_step(template):
    nb, res = AddGraderNotes().preprocess(graded_notebook(), resources())
    assert len(active_parts(render(nb, template))) >= 4   # the search finds what it looks for


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_nothing_a_student_wrote_can_run_in_nbgraders_pages(course, template):
    html = render(neutralised(course), template)
    assert active_parts(html) == []
    # ... and the text is still there for the grader to read.
    assert "My reflection" in html and "bold" in html and "A cell the student added" in html
    assert "unexpected file in the submission" in html and "unknown items" in html


def test_the_instructors_cells_and_safe_outputs_are_kept(course):
    nb = neutralised(course)
    instructor = next(c for c in nb.cells if c.cell_type == "markdown" and c.source == INSTRUCTOR_TEXT)
    assert instructor is not None
    code = next(c for c in nb.cells if c.cell_type == "code")
    kinds = [sorted(o["data"]) for o in code.outputs]
    assert ["text/html", "text/plain"] in kinds and ["image/png"] in kinds
    assert all("application/javascript" not in k and "image/svg+xml" not in k for k in kinds)
    png = next(o for o in code.outputs if "image/png" in o["data"])
    assert png["metadata"] == {}
    assert code.metadata["tags"] == ["fine-tag"]
    assert "widgets" not in nb.metadata


def test_without_the_instructors_source_every_cell_is_the_students(tmp_path):
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    nb = new_notebook(cells=[new_markdown_cell(INSTRUCTOR_TEXT + PAYLOAD)])
    nb, _ = NeutraliseStudentHtml(config=config).preprocess(nb, resources())
    assert active_parts(render(nb, "feedback")) == []


def test_markdown_literal_shows_a_name_as_written():
    from nbconvert.filters.markdown import markdown2html

    name = "*[x](javascript:1)* `<b>` $a$ \\ #1\nnew line"
    rendered = BeautifulSoup(markdown2html(markdown_literal(name)), "html.parser")
    assert rendered.get_text().strip() == " ".join(name.split())
    assert rendered.find(["a", "b", "em", "code", "h1"]) is None
    assert len(markdown_literal("x" * 1000)) < 400


def test_a_cell_id_that_is_not_a_name_is_replaced(course):
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.cells[0]["id"] = 'x"><img src=x onerror=window.__xss=10>'   # nbconvert refuses such a page
    nb, _ = NeutraliseStudentHtml(config=course).preprocess(nb, resources())
    assert nb.cells[0].id.isalnum()
    assert active_parts(render(nb, "formgrade")) == []
