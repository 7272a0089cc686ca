"""Option package: build a settlement from several options, then say why each is in it.

A multi-step decision for problem solving:
1. the student sees the parties and their interests, and ticks the options to put in the
   package; a table, always visible, shows which party's interests each ticked option
   serves and which interests the package still leaves unserved (this is information the
   author gives in the lesson, `serves=`, not the key);
2. for every ticked option the student picks, from a menu, the reason it belongs.

The saved value is `{"options": ["o1", "o3"], "reasons": {"o1": "r2", "o3": "r1"}}`.
Graded items are scored by `course.grading.score.package` (the same rules, course/items/package_rules.py) against the instructor's key;
practice items take the same answer format as that key (`required`, `breaks`, `reasons`).
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..items.package_rules import key_problem, tally
from .base import PRACTICE, Exercise, ExerciseError, escape, require_explanations, verdict

PLACEHOLDER = "— choose a reason —"


class OptionPackage(Exercise):
    kind = "package"

    def __init__(self, item_id, prompt, parties: dict[str, dict], options: dict[str, str],
                 serves: dict[str, list[str]], reasons: dict[str, str], store, mode,
                 answer: dict | None = None, why: dict[str, str] | None = None):
        self.parties = self._check_parties(item_id, parties)
        if len(options) < 2 or len(reasons) < 2:
            raise ExerciseError(f"item {item_id!r}: a package needs at least two options and two reasons")
        self.options = dict(options)
        self.reasons = dict(reasons)
        self.serves = self._check_serves(item_id, serves)
        if mode == PRACTICE:
            problem = key_problem(answer)
            if problem:
                raise ExerciseError(f"item {item_id!r}: practice answer: {problem}")
            named = set(answer["required"]) | set(answer.get("breaks") or {})
            unknown = sorted(o for o in named if o not in self.options)
            accepted = {r for o in answer["required"] for r in ([answer["reasons"][o]] if isinstance(answer["reasons"][o], str) else answer["reasons"][o])}
            unknown += sorted(r for r in accepted if r not in self.reasons)
            if unknown:
                raise ExerciseError(f"item {item_id!r}: practice answer names unknown options or reasons {unknown}")
            self.why = require_explanations(item_id, list(self.options), {k: v for k, v in (why or {}).items() if k in self.options}, "option")
        self.answer = answer
        super().__init__(item_id, prompt, store, mode)

    # ---- definition checks ----------------------------------------------
    @staticmethod
    def _check_parties(item_id, parties) -> dict[str, dict]:
        if not isinstance(parties, dict) or len(parties) < 2:
            raise ExerciseError(f"item {item_id!r}: a package needs at least two parties")
        checked = {}
        for party, spec in parties.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not isinstance(spec.get("interests"), dict) or not spec["interests"]:
                raise ExerciseError(f"item {item_id!r}: party {party!r} needs a 'name' and a non-empty 'interests' mapping")
            checked[party] = {"name": spec["name"], "interests": dict(spec["interests"])}
        return checked

    def _check_serves(self, item_id, serves) -> dict[str, list[tuple[str, str]]]:
        serves = serves or {}
        unknown_options = [o for o in serves if o not in self.options]
        if unknown_options:
            raise ExerciseError(f"item {item_id!r}: serves= names unknown options {unknown_options}")
        checked = {}
        for option in self.options:
            pairs = []
            for ref in serves.get(option, []):
                party, _, interest = str(ref).partition(".")
                if party not in self.parties or interest not in self.parties[party]["interests"]:
                    raise ExerciseError(f"item {item_id!r}: serves= for {option!r} names {ref!r}; "
                                        "write 'party.interest' with a known party and interest")
                pairs.append((party, interest))
            checked[option] = pairs
        return checked

    # ---- widgets ----------------------------------------------------------
    def build_inputs(self):
        party_html = "".join(
            f"<div><strong>{escape(p['name'])}</strong> needs:<ul>"
            + "".join(f"<li>{escape(text)}</li>" for text in p["interests"].values())
            + "</ul></div>"
            for p in self.parties.values())
        self.shown = self.ordered(self.options, "options")
        self.shown_reasons = self.ordered(self.reasons, "reasons")
        self.boxes = {
            key: widgets.Checkbox(value=False, description=f"({key}) {self.options[key]}", indent=False,
                                  layout=widgets.Layout(width="auto"))
            for key in self.shown
        }
        self.table = widgets.HTML()
        self.reason_menus, self.reason_rows = {}, {}
        for key in self.shown:
            text = self.options[key]
            menu = widgets.Dropdown(
                options=[(PLACEHOLDER, None)] + [(f"({r}) {self.reasons[r]}", r) for r in self.shown_reasons],
                value=None, description=f"Reason for ({key}):", style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"))
            self.reason_menus[key] = menu
            self.reason_rows[key] = widgets.VBox(
                [widgets.HTML(f"<p><strong>({escape(key)})</strong> {escape(text)}</p>"), menu],
                layout=widgets.Layout(display="none"))
        self.no_reasons = widgets.HTML("<p><em>Tick at least one option in step 1 first.</em></p>")
        for box in self.boxes.values():
            box.observe(lambda _change: self._refresh(), names="value")
        self._refresh()
        return widgets.VBox([
            widgets.HTML(f"<div class='course-parties'>{party_html}</div>"),
            widgets.HTML("<p><strong>Step 1.</strong> Tick the options you would put in the package.</p>"),
            *self.boxes.values(),
            self.table,
            widgets.HTML("<p><strong>Step 2.</strong> For each option you ticked, choose the main reason it belongs.</p>"),
            self.no_reasons,
            *self.reason_rows.values(),
        ])

    def _chosen(self) -> list[str]:
        return [key for key in self.options if self.boxes[key].value]

    def _refresh(self) -> None:
        chosen = self._chosen()
        for key, row in self.reason_rows.items():
            row.layout.display = None if key in chosen else "none"
        self.no_reasons.layout.display = "none" if chosen else None
        self.table.value = self.table_html([key for key in self.shown if key in chosen])

    def table_html(self, chosen: list[str]) -> str:
        """Which party's interests each chosen option serves, and what is still unserved."""
        if not chosen:
            return "<p><em>Your package is empty. Tick options to see whose interests they serve.</em></p>"
        head = "".join(f"<th scope='col'>{escape(p['name'])}</th>" for p in self.parties.values())
        rows = []
        for option in chosen:
            cells = []
            for party, spec in self.parties.items():
                served = [spec["interests"][i] for p, i in self.serves[option] if p == party]
                cells.append(f"<td>{'; '.join(escape(s) for s in served) if served else '—'}</td>")
            rows.append(f"<tr><th scope='row'>({escape(option)})</th>{''.join(cells)}</tr>")
        covered = {pair for option in chosen for pair in self.serves[option]}
        gaps = []
        for party, spec in self.parties.items():
            missing = [text for interest, text in spec["interests"].items() if (party, interest) not in covered]
            gaps.append(f"<td>{'; '.join(escape(m) for m in missing) if missing else 'none'}</td>")
        rows.append(f"<tr><th scope='row'>Not yet served</th>{''.join(gaps)}</tr>")
        return ("<table class='course-package-table' style='border-collapse:collapse' border='1' cellpadding='4'>"
                "<caption>Whose interests your package serves</caption>"
                f"<thead><tr><th scope='col'>Option</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    # ---- values -------------------------------------------------------------
    def read_inputs(self):
        chosen = self._chosen()
        return {"options": chosen,
                "reasons": {o: self.reason_menus[o].value for o in chosen if self.reason_menus[o].value is not None}}

    def show_value(self, value):
        value = value or {}
        chosen = value.get("options") or []
        reasons = value.get("reasons") or {}
        for key, box in self.boxes.items():
            box.value = key in chosen
        for key, menu in self.reason_menus.items():
            menu.value = reasons.get(key)
        self._refresh()

    def check_value(self, value: Any) -> dict:
        example = f"{{'options': ['{next(iter(self.options))}'], 'reasons': {{'{next(iter(self.options))}': '{next(iter(self.reasons))}'}}}}"
        if not isinstance(value, dict) or not set(value) <= {"options", "reasons"}:
            raise ExerciseError(f"item {self.item_id!r}: give a package like {example}")
        options, reasons = value.get("options"), value.get("reasons") or {}
        if isinstance(options, str) or not isinstance(options, (list, tuple)) or not isinstance(reasons, dict):
            raise ExerciseError(f"item {self.item_id!r}: 'options' is a list of option ids and 'reasons' maps an option to a reason, e.g. {example}")
        unknown = [o for o in options if o not in self.options]
        if unknown:
            raise ExerciseError(f"item {self.item_id!r}: {unknown} are not options; the options are {list(self.options)}")
        if not options:
            raise ExerciseError(f"item {self.item_id!r}: tick at least one option for your package first")
        stray = [o for o in reasons if o not in options]
        bad = [r for r in reasons.values() if r not in self.reasons]
        if stray or bad:
            raise ExerciseError(f"item {self.item_id!r}: reasons given for options not in the package {stray} "
                                f"or unknown reasons {bad}; the reasons are {list(self.reasons)}")
        chosen = [o for o in self.options if o in options]
        return {"options": chosen, "reasons": {o: reasons[o] for o in chosen if o in reasons}}

    def describe_value(self, value):
        given = len(value["reasons"])
        return (f"package {', '.join(f'({escape(o)})' for o in value['options'])}; "
                f"{given} of {len(value['options'])} options with a reason")

    def practice_feedback(self, value):
        t = tally(self.answer, value)
        rows = []
        for option in self.options:
            inside = option in t["chosen"]
            if option in t["required"]:
                ok = inside
                state = "belongs in the package; " + ("you included it" if inside else "you left it out")
            elif option in t["breaks"]:
                ok = not inside
                party = self.parties.get(t["breaks"][option], {}).get("name", t["breaks"][option])
                state = f"breaks a core interest of {party}; " + ("you included it" if inside else "you left it out")
            else:
                ok = True
                state = "is optional; " + ("you included it" if inside else "you left it out")
            reason = ""
            if option in t["required"] and inside:
                given = t["reasons"].get(option)
                accepted = ([self.answer["reasons"][option]] if isinstance(self.answer["reasons"][option], str)
                            else self.answer["reasons"][option])
                if given in accepted:
                    reason = f" Your reason ({escape(given)}) is sound."
                else:
                    ok = False
                    reason = (f" Your reason ({escape(given) if given else 'none'}) does not fit best; the sound "
                              f"reason is ({escape(accepted[0])}) {escape(self.reasons[accepted[0]])}.")
            rows.append(f"<li>{'✔' if ok else '✘'} ({escape(option)}) {state}.{reason} {escape(self.why[option])}</li>")
        perfect = t["earned"] == t["total"] and not t["broken"]
        return (verdict(perfect) + f"<p>{t['earned']} of {t['total']} marks: needed options included, "
                f"each with a sound reason, minus one for each option that breaks a core interest.</p>"
                f"<ul>{''.join(rows)}</ul>")
