"""The after-action debrief of a run: the ending, and each turning point where a better choice existed."""
from __future__ import annotations

from dataclasses import dataclass

from .describe import outcome_label
from .run import ScenarioRun


@dataclass(frozen=True)
class TurningPoint:
    node_id: str
    chosen_id: str
    chosen_text: str
    teaching_point: str           # of the choice made
    best_id: str | None           # the node's recommended choice, if the author named one
    best_text: str
    best_teaching_point: str
    best_why: str

    @property
    def was_best(self) -> bool:
        return self.best_id is None or self.best_id == self.chosen_id


@dataclass(frozen=True)
class Debrief:
    ended: bool
    outcome: str | None
    outcome_label: str
    ending_text: str              # the ending node's debrief
    points: tuple[TurningPoint, ...]

    @property
    def missed(self) -> tuple[TurningPoint, ...]:
        """Turning points where the author's recommended choice was not made."""
        return tuple(p for p in self.points if not p.was_best)


def debrief(run: ScenarioRun) -> Debrief:
    points = []
    for step in run.steps:
        node, choice = step.from_node, step.choice
        best = node.choice(node.best) if node.best else None
        points.append(TurningPoint(
            node_id=node.id, chosen_id=choice.id, chosen_text=choice.text, teaching_point=choice.teaching_point,
            best_id=best.id if best else None, best_text=best.text if best else "",
            best_teaching_point=best.teaching_point if best else "", best_why=node.best_why,
        ))
    ending = run.ending
    return Debrief(
        ended=ending is not None, outcome=ending.outcome if ending else None,
        outcome_label=outcome_label(ending.outcome) if ending else "Not finished",
        ending_text=ending.debrief if ending else "", points=tuple(points),
    )
