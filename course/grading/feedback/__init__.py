"""Feedback: what the student and the class report read after grading."""
