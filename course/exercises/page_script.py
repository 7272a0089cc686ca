"""The one script the course runs in the student's browser: what the kernel cannot do there.

ipywidgets can put neither an attribute nor a listener on its elements from Python, and the
kernel does not know the student's time zone. So each exercise also shows this small script
(application/javascript, run by JupyterLab and Notebook 7 for outputs made in the session),
installed once per page. It does two things:

- Arrow keys move between the options of a radio group. In JupyterLab a focused radio button is
  not an editable element (`:read-write`), so the notebook's command-mode shortcuts take the
  arrow keys: Up and Down selected the cell above or below, and a keyboard user could not move
  between options (and ipywidgets gives its radio buttons no shared `name`, so the browser has
  no group to move in either). A listener on `window`, in the capture phase, runs before the
  notebook's own: on a radio button inside a course exercise, an arrow key moves the focus to
  the next (Down, Right) or previous (Up, Left) option, wrapping round, and selects it, as the
  WAI-ARIA radio group pattern does; the notebook never sees the key. Nothing is saved until
  the student presses the button.
- Times are shown in the student's local time. The kernel writes a saved time as
  `<time class="course-time" datetime="2026-12-04T02:09:51+00:00">02:09 UTC</time>`: the text
  is the kernel's clock with its zone named (what a page without the script shows), and the
  script rewrites it in the browser's own time zone whenever such an element appears.
"""
from __future__ import annotations

import html

SCRIPT = """
(function () {
  if (window.__courseScript) { return; }
  window.__courseScript = true;
  var ARROWS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
  window.addEventListener("keydown", function (event) {
    var target = event.target;
    if (ARROWS.indexOf(event.key) < 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (!target || target.type !== "radio" || !target.closest || !target.closest(".course-exercise")) { return; }
    var box = target.closest(".widget-radio-box");
    if (!box) { return; }
    var radios = Array.prototype.filter.call(box.querySelectorAll("input[type=radio]"), function (r) { return !r.disabled; });
    var at = radios.indexOf(target);
    if (at < 0) { return; }
    var step = (event.key === "ArrowDown" || event.key === "ArrowRight") ? 1 : -1;
    var next = radios[(at + step + radios.length) % radios.length];
    event.stopPropagation();   // the notebook does not see it (no move to another cell)
    event.preventDefault();
    next.focus();
    next.click();              // selects it, as ipywidgets' own click handler sees it; nothing is saved
  }, true);
  function localTimes(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("time.course-time:not([data-local])") : [];
    for (var i = 0; i < found.length; i++) {
      var when = new Date(found[i].getAttribute("datetime"));
      if (isNaN(when.getTime())) { continue; }
      found[i].textContent = when.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", timeZoneName: "short"});
      found[i].setAttribute("data-local", "true");
      found[i].title = when.toLocaleString();
    }
  }
  localTimes(document);
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      localTimes(changes[i].target);
    }
  }).observe(document.body, {childList: true, subtree: true});   // a widget's new HTML is new children
})();
"""


def display_page_script() -> None:
    """Show the script as a raw output: no text/plain part, so nothing is printed in its place."""
    from IPython.display import display

    display({"application/javascript": SCRIPT}, raw=True)


def time_html(saved_at: str) -> str:
    """A saved time (UTC, ISO) as a <time> element the script shows in the browser's time zone."""
    from ..recording import local_time

    return (f"<time class='course-time' datetime='{html.escape(str(saved_at), quote=True)}'>"
            f"{html.escape(local_time(saved_at))}</time>")
