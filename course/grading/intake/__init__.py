"""Intake: what is taken from a submission, and whether the grader can trust it."""
