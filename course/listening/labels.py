"""The label ids the recogniser uses, with a one-line explanation and a tip for each.

Skills are the eight active-listening skills taught to crisis negotiators; roadblocks are
the common habits that get in the way of listening (Van Hasselt et al., 2006). The
explanations are written for students, not programmers.
"""
from __future__ import annotations

SKILLS: tuple[str, ...] = (
    "minimal_encourager",
    "paraphrasing",
    "emotional_labeling",
    "mirroring",
    "open_question",
    "summarizing",
    "effective_pause",
    "i_message",
    "safety_question",
)

ROADBLOCKS: tuple[str, ...] = (
    "advising",
    "judging",
    "arguing",
    "ordering",
    "false_reassurance",
    "premature_problem_solving",
)

ALL_LABELS: tuple[str, ...] = SKILLS + ROADBLOCKS

TITLES: dict[str, str] = {
    "minimal_encourager": "Minimal encourager",
    "paraphrasing": "Paraphrasing",
    "emotional_labeling": "Emotional labeling",
    "mirroring": "Mirroring",
    "open_question": "Open-ended question",
    "summarizing": "Summarizing",
    "effective_pause": "Effective pause",
    "i_message": "\"I\" message",
    "safety_question": "Direct safety question",
    "advising": "Advising",
    "judging": "Judging",
    "arguing": "Arguing",
    "ordering": "Ordering",
    "false_reassurance": "False reassurance",
    "premature_problem_solving": "Problem solving too early",
}

EXPLANATIONS: dict[str, str] = {
    "minimal_encourager": "A short sound or phrase such as 'mm-hm', 'go on' or 'take your time' shows you are listening and invites them to keep talking.",
    "paraphrasing": "You put what they told you into your own words, which shows you understood the content.",
    "emotional_labeling": "You named the feeling you heard (for example 'you sound scared'), which shows empathy.",
    "mirroring": "You repeated their last or key few words back, often as a question, which invites them to say more.",
    "open_question": "You asked a question that cannot be answered with yes or no, which lets them tell their story.",
    "summarizing": "You pulled several of their points together, which shows you followed the whole story.",
    "effective_pause": "You left a deliberate silence (written as '(pause)' or '...'), which gives them room to think and keep talking. Saying 'take your time' is a minimal encourager, not a pause: a pause is silence.",
    "i_message": "You said how you feel and why ('I feel ... when ... because ...') without blaming them.",
    "safety_question": "You asked directly about a risk to life (suicide, the means, weapons, strangulation, children in the home); in a crisis or a domestic call that is good practice, not a closed question to avoid.",
    "advising": "You told them what they should do about their problem before they felt heard.",
    "judging": "You judged or blamed them, which usually makes people defensive.",
    "arguing": "You disputed their account or their feelings, which usually makes people dig in.",
    "ordering": "You gave a command; commands before rapport tend to raise tension.",
    "false_reassurance": "You promised everything will be fine or played the problem down, which can feel dismissive.",
    "premature_problem_solving": "You jumped to a fix before you understood the problem and the feelings behind it.",
}

TIPS: dict[str, str] = {
    "minimal_encourager": "Add a short 'mm-hm' or 'go on' to show you are still with them.",
    "paraphrasing": "Put their main point in your own words, starting with 'So you're saying ...'.",
    "emotional_labeling": "Name the feeling you hear: 'It sounds like you're feeling ... (scared, angry, let down)'.",
    "mirroring": "Repeat their last two or three words as a question, for example 'Nowhere to go?'.",
    "open_question": "Ask a 'what' or 'how' question, or say 'Tell me more about ...'.",
    "summarizing": "Pull their points together: 'So what I'm hearing is ..., ... and ...'.",
    "effective_pause": "After they speak, stay silent for a moment before you reply (write it as '(pause)'); silence lets them go on. Saying 'take your time' is an encourager, not a pause.",
    "i_message": "Say how you feel and why: 'I feel worried when ... because ...'.",
    "safety_question": "Where there may be a risk to life, ask plainly: 'Are you thinking about killing yourself?', 'Has he ever put his hands on your neck?', 'Are there any weapons in the house?'.",
    "advising": "Hold the advice for now; first reflect what you heard, for example 'So you're saying ...'.",
    "judging": "Leave out the verdict; describe what you heard and name the feeling instead.",
    "arguing": "Don't dispute their story yet; ask 'What happened?' and listen to their side first.",
    "ordering": "Unless safety demands it, swap the command for a question: 'What would help you feel calmer?'.",
    "false_reassurance": "Instead of promising it will be fine, acknowledge it: 'It sounds like you're really worried'.",
    "premature_problem_solving": "Slow down: find out what they need first with 'What would help right now?'.",
}


def kind_of(label: str) -> str:
    """Return "skill" or "roadblock" for a label id (KeyError for an unknown id)."""
    if label in SKILLS:
        return "skill"
    if label in ROADBLOCKS:
        return "roadblock"
    raise KeyError(f"unknown listening label {label!r}; known: {', '.join(ALL_LABELS)}")


def is_good_reply(labels) -> bool:
    """A good reply (issue 27): its gold labels hold at least one skill and no roadblock. Marking
    one as a roadblock is the unfairest error the recogniser makes (the goal: at most 1 in 50)."""
    labels = set(labels)
    return bool(labels & set(SKILLS)) and not labels & set(ROADBLOCKS)
