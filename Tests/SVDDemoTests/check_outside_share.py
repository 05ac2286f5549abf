#!/usr/bin/env python3
"""By-hand check (not run by swift test): share of demo incidents outside the real Kent & Medway LAD polygons.

Usage: python3 Tests/SVDDemoTests/check_outside_share.py ../shared/geodata/kent-medway-lad20.geojson demo.csv [max_rows]
Needs shapely, pyproj and pandas.
"""
import json
import sys

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.ops import unary_union

to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
land = unary_union([shapely.transform(shape(f["geometry"]), lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1])))
                    for f in json.load(open(sys.argv[1]))["features"]])
shapely.prepare(land)
rows = int(sys.argv[3]) if len(sys.argv) > 3 else None
df = pd.read_csv(sys.argv[2], usecols=["easting", "northing"], nrows=rows)
inside = shapely.contains_xy(land, df.easting.to_numpy(), df.northing.to_numpy())
print(f"{len(df)} rows, {np.count_nonzero(~inside)} outside the LAD polygons = {100 * np.mean(~inside):.3f} %")
