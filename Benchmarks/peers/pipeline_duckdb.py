#!/usr/bin/env python3
"""The ingest → locate → bin job done in DuckDB SQL, with its spatial extension for the point-in-polygon step.

The same job as pipeline_peer.py (pandas + shapely), pipeline_polars.py and `svd assess`'s binning: read the
native CSV into a table (DuckDB's parallel CSV reader, dates parsed on load with `try_strptime` over the
native schema's forms), put each point in its district with a `LEFT JOIN districts ON ST_Contains(geom,
ST_Point(easting, northing))` (the spatial extension's join), and count serious violence by district ×
victim age band × hour × weekday × month with GROUP BY. Scope: the distinct offence values are normalised
once in Python with the definitions file's rule and passed as a list.

The spatial extension: DuckDB normally downloads it from its own extension host at `INSTALL spatial`. Where
only the Python package index is reachable, the `duckdb-extension-spatial` wheel (the same signed
extension binary, repackaged; it pins the DuckDB version) is installed from the path inside the wheel.
DuckDB checks the extension's signature on LOAD (unsigned extensions stay disallowed).

It writes the same two files as pipeline_peer.py and prints seconds per stage, `TOTAL_SECONDS` and
`PEAK_RSS_KIB` (getrusage: DuckDB's memory is allocated in this process, so it is counted).

Usage:
  pipeline_duckdb.py INCIDENTS.csv [--area geodata/kent-medway] [--definitions FILE]
                     [--out district_counts.csv] [--cube-out cube_counts.csv] [--threads N]
"""
import argparse
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

# ISO forms (native schema), a date alone, then the UK d/m/yyyy forms; try_strptime takes the first that fits.
FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
           "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]


def load_spatial(con):
    """LOAD spatial, installing it from the duckdb-extension-spatial wheel when it is there, else from DuckDB's
    own repository (which needs that host to be reachable)."""
    try:
        import duckdb_extension_spatial
        path = os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions",
                            con.sql("PRAGMA version").fetchone()[0], "spatial.duckdb_extension")
        if not os.path.exists(path):
            sys.exit(f"{path} missing: duckdb-extension-spatial does not match duckdb {duckdb.__version__}")
        con.execute(f"INSTALL '{path}'")
        source = "duckdb-extension-spatial wheel"
    except ImportError:
        con.execute("INSTALL spatial")
        source = "DuckDB extension repository"
    con.execute("LOAD spatial")
    return source


def ring_wkt(ring):
    return "(" + ", ".join(f"{x!r} {y!r}" for x, y in ring) + ")"


def multipolygon_wkt(polygons):
    return "MULTIPOLYGON(" + ", ".join("(" + ", ".join(ring_wkt(r) for r in rings) + ")" for rings in polygons) + ")"


def sql_values(values):
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def sql_list(values):
    return "[" + sql_values(values) + "]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--area", default=pc.DEFAULT_AREA, help="directory holding area.json (BNG metres)")
    ap.add_argument("--definitions", default=pc.DEFAULT_DEFINITIONS)
    ap.add_argument("--out", default="duckdb_district_counts.csv", help="per-district counts (CSV)")
    ap.add_argument("--cube-out", help="optional: the full district×band×hour×weekday×month counts (CSV)")
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: one per core)")
    ap.add_argument("--locate", choices=["spatial", "shapely"], default="spatial",
                    help="point in polygon with the spatial extension's ST_Contains join (default), or with "
                         "shapely's prepared contains_xy per district on the coordinates fetched as numpy arrays "
                         "and joined back positionally (the same step as the pandas and polars peers)")
    ap.add_argument("--explain", action="store_true", help="print the locate query's physical plan")
    args = ap.parse_args()

    clock = pc.Stopwatch()
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    districts = pc.area_districts(args.area)
    sv = pc.serious_violence_categories(args.definitions)
    if args.locate == "spatial":
        spatial_source = "spatial extension from the " + load_spatial(con)
        con.execute("CREATE TABLE districts (k SMALLINT, code VARCHAR, geom GEOMETRY)")
        con.executemany("INSERT INTO districts VALUES (?, ?, ST_GeomFromText(?::VARCHAR))",
                        [(k, code, multipolygon_wkt(polys)) for k, (code, _, polys) in enumerate(districts)])
    else:
        spatial_source = "shapely (no spatial extension)"
        geoms = pc.shapely_districts(districts)
    clock.lap("load spatial+geodata")

    # Coordinates are read as DOUBLE: ignore_errors skips a row whose easting or northing is not a number, so
    # such a row counts as neither read nor rejected below (the other peers count it as rejected); the counts
    # agree either way.
    con.execute(f"""
        CREATE TABLE incidents AS
        SELECT try_strptime(datetime, {sql_list(FORMATS)}) AS w, length(datetime) <= 10 AS date_only,
               offence, easting, northing, TRY_CAST(victim_age AS DOUBLE) AS age
        FROM read_csv(?, header = true, columns = {{
            'id': 'VARCHAR', 'datetime': 'VARCHAR', 'offence': 'VARCHAR', 'easting': 'DOUBLE',
            'northing': 'DOUBLE', 'victim_age': 'VARCHAR', 'victim_sex': 'VARCHAR', 'suspect_age': 'VARCHAR',
            'suspect_sex': 'VARCHAR', 'location_type': 'VARCHAR', 'public_place': 'VARCHAR',
            'domestic': 'VARCHAR', 'weapon': 'VARCHAR', 'alcohol': 'VARCHAR', 'drugs': 'VARCHAR',
            'source': 'VARCHAR'}}, ignore_errors = true)
    """, [args.csv])
    rows_read = con.sql("SELECT count(*) FROM incidents").fetchone()[0]
    con.execute("DELETE FROM incidents WHERE w IS NULL OR NOT isfinite(easting) OR NOT isfinite(northing)"
                " OR easting IS NULL OR northing IS NULL")
    accepted = con.sql("SELECT count(*) FROM incidents").fetchone()[0]
    clock.lap("read csv+parse dates")

    offences = [r[0] for r in con.sql("SELECT DISTINCT offence FROM incidents").fetchall()]
    in_scope = pc.in_scope_values(offences, sv)
    bounds = ", ".join(str(b) for b in pc.AGE_BOUNDS[1:])
    if args.locate == "spatial":
        locate = """
            SELECT coalesce(d.k, -1) AS district, i.offence, i.age, i.w, i.date_only
            FROM incidents i LEFT JOIN districts d ON ST_Contains(d.geom, ST_Point(i.easting, i.northing))
        """
    else:
        xy = con.sql("SELECT easting, northing FROM incidents").fetchnumpy()
        located = {"district": pc.assign_districts(xy["easting"], xy["northing"], geoms)}  # noqa: F841 (scanned by name)
        del xy
        locate = "SELECT l.district, i.offence, i.age, i.w, i.date_only FROM incidents i POSITIONAL JOIN located l"
    if args.explain:
        print(con.sql("EXPLAIN " + locate).fetchall()[0][1])
    con.execute(f"""
        CREATE TABLE binned AS
        SELECT district, coalesce(offence IN ({sql_values(in_scope) or "NULL"}), false) AS sv,
               CASE WHEN age >= 0 AND age <= {pc.MAX_AGE} AND floor(age) = age
                    THEN list_count(list_filter([{bounds}], b -> age >= b))
                    ELSE {pc.UNKNOWN_BAND} END::TINYINT AS band,
               CASE WHEN date_only THEN {pc.NO_HOUR} ELSE hour(w) END::TINYINT AS hour,
               isodow(w)::TINYINT - 1 AS weekday,
               (year(w) * 12 + month(w) - 1)::INTEGER AS month
        FROM ({locate})
    """)
    clock.lap("assign districts")

    accepted_by_d = dict(con.sql("SELECT district, count(*) FROM binned GROUP BY ALL").fetchall())
    con.execute("""CREATE TABLE counts AS SELECT district, band, hour, weekday, month, count(*) AS count
                   FROM binned WHERE sv GROUP BY ALL""")
    sv_by_d = dict(con.sql("SELECT district, sum(count)::BIGINT FROM counts GROUP BY ALL").fetchall())
    n_cells, n_sv = con.sql("SELECT count(*), sum(count)::BIGINT FROM counts").fetchone()
    clock.lap("bin (group by)")

    if sum(accepted_by_d.values()) != accepted:
        sys.exit(f"located {sum(accepted_by_d.values())} rows for {accepted} accepted: a point matched two districts")
    pc.write_district_counts(args.out, districts, accepted_by_d, sv_by_d)
    if args.cube_out:
        codes = ["outside"] + [code for code, _, _ in districts]
        labels = pc.AGE_LABELS + ["unknown"]
        con.execute(f"""
            COPY (SELECT {sql_list(codes)}[district + 2] AS district, {sql_list(labels)}[band + 1] AS band,
                         hour, weekday, lpad((month // 12)::VARCHAR, 4, '0') || '-' || lpad((month % 12 + 1)::VARCHAR, 2, '0') AS month,
                         count
                  FROM counts ORDER BY counts.district, counts.band, hour, weekday, counts.month)
            TO '{args.cube_out.replace("'", "''")}' (HEADER, DELIMITER ',')""")
    clock.lap("write outputs")

    print(f"geodata: {os.path.join(args.area, 'area.json')}")
    threads = con.sql("SELECT current_setting('threads')").fetchone()[0]
    print(f"duckdb {duckdb.__version__} ({threads} threads), point in polygon: {spatial_source}")
    print(f"rows read {rows_read}, accepted {accepted}, rejected {rows_read - accepted}, "
          f"serious violence {n_sv}, non-empty cells {n_cells}")
    clock.report()


if __name__ == "__main__":
    main()
