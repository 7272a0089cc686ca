"""Simulated students, for `course demo`, the tests and the benchmarks (not a verb).

kernel.py     one student: run a lesson in a real kernel and answer through the widgets
classroom.py  a class of varied skill: plan every lesson's answers, fetch, answer, submit
banks.py      what they write in their own words and code, from lessons/<lesson>.simulate.yaml
"""
