#!/usr/bin/env python3
"""Independent check of the test suite's exact attacker, with scipy's linear programming.

lp_attack_published.csv is a suppressed table as a reader sees it (last column row totals, last row
column totals, "<5" primary, "*" secondary). It came from an earlier version of the suppression code
that only used bound propagation, and it leaks. For each hidden cell this script finds the smallest and
largest value consistent with the published numbers, the row/column equations and what the labels say
("<5" is 1-4, "*" is at least 5). Because the equations form a network (totally unimodular) matrix the
LP optimum is attained at integers, so lo == hi means the cell is disclosed exactly.
Run:  python3 make_lp_attack_fixture.py > lp_attack_reference.csv
"""
import csv
import os

import numpy as np
from scipy.optimize import linprog

here = os.path.dirname(os.path.abspath(__file__))
grid = list(csv.reader(open(os.path.join(here, "lp_attack_published.csv"))))
rows, cols = len(grid), len(grid[0])
known, unknowns, bounds = {}, [], []
for i in range(rows):
    for j in range(cols):
        s = grid[i][j]
        if s == "<5":
            unknowns.append((i, j)); bounds.append((1, 4))
        elif s == "*":
            unknowns.append((i, j)); bounds.append((5, None))
        else:
            known[(i, j)] = int(s)
index = {cell: n for n, cell in enumerate(unknowns)}
A, b = [], []


def equation(parts, total):
    """sum(parts) == total, with known values moved to the right-hand side."""
    row, rhs = np.zeros(len(unknowns)), 0.0
    for cell in parts:
        if cell in index:
            row[index[cell]] += 1
        else:
            rhs -= known[cell]
    if total in index:
        row[index[total]] -= 1
    else:
        rhs += known[total]
    A.append(row); b.append(rhs)


for i in range(rows):
    equation([(i, j) for j in range(cols - 1)], (i, cols - 1))
for j in range(cols):
    equation([(i, j) for i in range(rows - 1)], (rows - 1, j))
A, b = np.array(A), np.array(b)
print("row,column,label,lower,upper")
for n, (i, j) in enumerate(unknowns):
    c = np.zeros(len(unknowns)); c[n] = 1
    lo = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs").fun
    hi = -linprog(-c, A_eq=A, b_eq=b, bounds=bounds, method="highs").fun
    print(f"{i},{j},{grid[i][j]},{round(lo, 9)!r},{round(hi, 9)!r}")
