"""Reads of the shoot day, one module a page: the queue and the board, the desk, the
number log, the class close, the make-up list, the student's own page and the 学信网
follow-up.

The arithmetic of time and the choices of the day are in shootday/rules.py; these
functions load what the rules need. Each fixes its own queries: a slot costs the same
few queries whatever the number of its students.
"""
