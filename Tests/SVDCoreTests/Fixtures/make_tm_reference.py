#!/usr/bin/env python3
"""Writes tm_proj_reference.csv: OSGB36 latitude/longitude → National Grid by PROJ (pyproj, EPSG:4277 → EPSG:27700).

This is the map projection alone (no datum shift), so it checks BritishNationalGrid.project/unproject independently
of the OS worked example, over Kent and across Great Britain. Run: python3 make_tm_reference.py > tm_proj_reference.csv
"""
import pyproj
from pyproj import Transformer

to_grid = Transformer.from_crs(4277, 27700, always_xy=True)
print(f"# PROJ {pyproj.proj_version_str}, pyproj {pyproj.__version__}")
print("osgb36_latitude,osgb36_longitude,easting,northing")
points = [(lat / 10, lon / 10) for lat in range(505, 516, 2) for lon in range(0, 16, 3)]  # Kent and the Channel coast
points += [(50.0, -5.5), (51.5, -3.2), (52.5, -1.9), (53.5, -2.2), (54.9, -1.6), (55.95, -3.2), (57.5, -4.2),
           (58.6, -3.0), (60.2, -1.2), (57.8, -8.6), (52.6, 1.75)]
for lat, lon in points:
    e, n = to_grid.transform(lon, lat)
    print(f"{lat:.4f},{lon:.4f},{e:.4f},{n:.4f}")
