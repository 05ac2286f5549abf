#!/usr/bin/env python3
"""Writes calendar_reference.csv from Python's datetime (an independent proleptic Gregorian calendar).

One row for the first and the last day of every month 1900-01 … 2100-12:
  date, days since 1970-01-01, weekday (0 = Monday), days in that month, leap year (0/1),
  start year of the UK financial year (1 April – 31 March) holding that date.
Run: python3 make_calendar_reference.py > calendar_reference.csv
"""
import calendar
import datetime

EPOCH = datetime.date(1970, 1, 1).toordinal()


def financial_year_start(d):
    # The UK public-sector financial year runs 1 April to 31 March.
    return d.year if d >= datetime.date(d.year, 4, 1) else d.year - 1


print("date,days_since_epoch,weekday_mon0,days_in_month,is_leap_year,financial_year_start")
for year in range(1900, 2101):
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        for day in (1, last):
            d = datetime.date(year, month, day)
            print(f"{d.isoformat()},{d.toordinal() - EPOCH},{d.weekday()},{last},"
                  f"{int(calendar.isleap(year))},{financial_year_start(d)}")
