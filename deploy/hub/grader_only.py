"""A grader-only Jupyter server: nbgrader's formgrader for teaching assistants, and nothing else.

The hub's `grading` service (deploy/hub/jupyterhub_config.py, `start.sh --graders a,b`) runs
`jupyterhub-singleuser` as the instructor in the course directory with this module as its only
server extension of consequence. It must run as the instructor (the gradebook and the autograded
notebooks are in the instructor's course directory, mode 700), so what keeps a grader from the
rest of the instructor's account is this server, not the operating system:

- `_load_jupyter_server_extension` loads nbgrader's formgrader itself and then puts a guard in
  front of the server's routing (`Application.find_handler`, which tornado asks for every request
  and every websocket upgrade): a request goes on only if the handler it routes to is one of the
  grading handlers below and its method is allowed for it (page views and reads; writing a score
  or a comment; flagging). Everything else, the formgrader actions that generate, release,
  unrelease, collect, autograde or write feedback, assignment and student edits, and every route
  of the Jupyter server itself (contents, files, kernels, sessions, terminals, nbconvert, lab),
  gets 403 with the header `X-Grading-Refused`. A path with a `..` or `.` segment (after
  percent-decoding) is refused too: formgrader's submission files handler would otherwise serve
  any file of the course directory (keys/, gradebook.db) by `../`.
- `RefuseJupyterApi`, the server's authorizer, refuses every action of the Jupyter server's own
  REST API, in case a route were ever let through. It is a class the server must import to start:
  if this module cannot be imported, the service does not start at all (fail closed), and
  formgrader, loaded only from here, is never served unguarded.
- The service's configuration (start.sh writes it) also turns terminals, JupyterLab and the other
  extensions off and ignores the instructor's own Jupyter configuration.
"""
from __future__ import annotations

from urllib.parse import unquote

from jupyter_server.auth.authorizer import Authorizer
from tornado import web

FORMGRADER = "nbgrader.server_extensions.formgrader."
READ = frozenset({"GET", "HEAD"})
# Handler (module.class) -> the methods a grader may use on it. Anything not listed is refused,
# so a route a later nbgrader adds stays refused until it is listed here.
ALLOWED = {
    # pages: the gradebook (manual grading), a submission, the students' views, a submissions list
    FORMGRADER + "handlers.GradebookAssignmentsHandler": READ,
    FORMGRADER + "handlers.GradebookNotebooksHandler": READ,
    FORMGRADER + "handlers.GradebookNotebookSubmissionsHandler": READ,
    FORMGRADER + "handlers.SubmissionHandler": READ,
    FORMGRADER + "handlers.SubmissionNavigationHandler": READ,
    FORMGRADER + "handlers.SubmissionFilesHandler": READ,
    FORMGRADER + "handlers.ManageSubmissionsHandler": READ,
    FORMGRADER + "handlers.ManageStudentsHandler": READ,
    FORMGRADER + "handlers.ManageStudentsAssignmentsHandler": READ,
    FORMGRADER + "handlers.ManageStudentNotebookSubmissionsHandler": READ,
    # formgrader's own scripts, styles and fonts (under /formgrader/ only: checked below)
    "tornado.web.StaticFileHandler": READ,
    # the REST API behind those pages: reads, and the grader's writes (score, comment, flag)
    FORMGRADER + "apihandlers.StatusHandler": READ,
    FORMGRADER + "apihandlers.AssignmentCollectionHandler": READ,
    FORMGRADER + "apihandlers.AssignmentHandler": READ,                 # PUT edits an assignment
    FORMGRADER + "apihandlers.NotebookCollectionHandler": READ,
    FORMGRADER + "apihandlers.SubmissionCollectionHandler": READ,
    FORMGRADER + "apihandlers.SubmissionHandler": READ,
    FORMGRADER + "apihandlers.SubmittedNotebookCollectionHandler": READ,
    FORMGRADER + "apihandlers.StudentCollectionHandler": READ,
    FORMGRADER + "apihandlers.StudentHandler": READ,                    # PUT edits a student
    FORMGRADER + "apihandlers.StudentSubmissionCollectionHandler": READ,
    FORMGRADER + "apihandlers.StudentNotebookSubmissionCollectionHandler": READ,
    FORMGRADER + "apihandlers.GradeCollectionHandler": READ,
    FORMGRADER + "apihandlers.GradeHandler": READ | {"PUT"},
    FORMGRADER + "apihandlers.CommentCollectionHandler": READ,
    FORMGRADER + "apihandlers.CommentHandler": READ | {"PUT"},
    FORMGRADER + "apihandlers.FlagSubmissionHandler": frozenset({"POST"}),
    # logging in through the hub (OAuth) and out
    "jupyterhub.singleuser.extension.JupyterHubOAuthCallbackHandler": READ,
    "jupyterhub.singleuser.extension.JupyterHubLogoutHandler": READ,
}
# Where a grader lands: the service's root and formgrader's front page (which redirects to the
# instructor's Manage Assignments, and re-reads the configuration from any folder given as
# ?path=) both go to the gradebook instead.
TO_GRADEBOOK = {"jupyter_server.base.handlers.RedirectWithParams", "jupyter_server.base.handlers.MainHandler",
                FORMGRADER + "handlers.FormgraderHandler"}
REFUSED_HEADER = "X-Grading-Refused"


def handler_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}" if cls is not None else ""


def has_dot_segment(raw_path: str) -> bool:
    """Whether the path, percent-decoded, has a '..' or '.' segment, a backslash or a NUL."""
    path = unquote(raw_path)
    return "\\" in path or "\0" in path or any(part in (".", "..") for part in path.split("/"))


def decide(handler_class, method: str, raw_path: str, base_url: str) -> str:
    """'allow', 'gradebook' (redirect there) or 'refuse', for a request routed to handler_class."""
    name = handler_name(handler_class)
    if has_dot_segment(raw_path):
        return "refuse"
    if name in TO_GRADEBOOK and method in READ:
        return "gradebook"
    if method not in ALLOWED.get(name, ()):
        return "refuse"
    if name == "tornado.web.StaticFileHandler" and not raw_path.startswith(base_url.rstrip("/") + "/formgrader/"):
        return "refuse"
    return "allow"


class Refused(web.RequestHandler):
    """403 for whatever the grading service does not do (every method, websockets included)."""

    def check_xsrf_cookie(self):  # tornado would answer a bare 403 first: refuse with the reason
        pass

    def prepare(self):
        self.set_status(403)
        self.set_header(REFUSED_HEADER, "1")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("403: the grading service is for grading (scores, comments, flags); "
                    "this is the instructor's.\n")


class RefuseJupyterApi(Authorizer):
    """The Jupyter server's own REST API (contents, kernels, terminals, ...) is nobody's here."""

    def is_authorized(self, handler, user, action, resource):
        self.log.warning("grading service: refused %s on %s for %s", action, resource, getattr(user, "username", user))
        return False


def install_guard(webapp, log) -> None:
    """Route every request through `decide` (tornado calls find_handler for each request)."""
    route = webapp.find_handler
    base_url = webapp.settings.get("base_url", "/")
    gradebook = base_url.rstrip("/") + "/formgrader/gradebook"

    def find_handler(request, **kwargs):
        delegate = route(request, **kwargs)
        verdict = decide(getattr(delegate, "handler_class", None), request.method, request.path, base_url)
        if verdict == "allow":
            return delegate
        if verdict == "gradebook":
            return webapp.get_handler_delegate(request, web.RedirectHandler, {"url": gradebook, "permanent": False})
        log.info("grading service: refused %s %s", request.method, request.path)
        return webapp.get_handler_delegate(request, Refused)

    webapp.find_handler = find_handler
    webapp.settings["grader_only_guard"] = True


def _jupyter_server_extension_points():
    return [{"module": "grader_only"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from nbgrader.server_extensions.formgrader import load_jupyter_server_extension as load_formgrader

    if not isinstance(serverapp.authorizer, RefuseJupyterApi):
        raise RuntimeError("grader_only needs ServerApp.authorizer_class = grader_only.RefuseJupyterApi")
    install_guard(serverapp.web_app, serverapp.log)
    load_formgrader(serverapp)
    serverapp.log.info("grading service: formgrader behind the grader-only guard")

