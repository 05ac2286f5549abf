#!/usr/bin/env python3
"""Independent reference for WGS84 → British National Grid of the fixture points, with pyproj (PROJ).
Prints the Swift constants pasted into ReferenceBNG.swift."""
from pyproj import Transformer

t = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
for name, lon, lat in [("l1", 0.5210, 51.2720), ("l2", 0.7440, 51.3350)]:
    e, n = t.transform(lon, lat)
    print(f"    static let {name} = ({e:.2f}, {n:.2f})  // lon {lon}, lat {lat}")
