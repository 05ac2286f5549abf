#!/usr/bin/env python3
"""Writes the SVDIngest test fixtures byte for byte (some hold a BOM, CRLF, NULs or invalid UTF-8,
which editors mangle). Expected outcomes are in README.md, worked out by reading the rows below."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data: bytes):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def lines(rows, eol=b"\n", final=True):
    out = eol.join(r if isinstance(r, bytes) else r.encode() for r in rows)
    return out + (eol if final else b"")


# Native schema, grid references, columns in a free order with mixed-case names.
native_header = ("ID,Offence,DateTime,Easting,Northing,Victim_Age,victim_sex,Suspect_Age,suspect_sex,"
                 "location_type,public_place,domestic,alcohol,drugs,weapon,source")
write("native_bng.csv", lines([
    native_header,
    "N001,Violence with injury,2024-03-15T23:40,575123,168456,17,M,19,male,street,yes,no,y,n,knife,police",
    'N002,Robbery of personal property,2024-03-16 01:05:30,575500.5,168000.25,,F,,,"transport hub",,,,,,',
    "N003,Homicide,2024-02-29,576000,169000,34,female,41,M,Dwelling,NO,yes,FALSE,0,firearm,police",
    "N004,Violence without injury,15/03/2024 08:15,575000,168000,12,U,,,School,y,n,,,bladed,",
    "N005,Violence with injury,15/03/2024,575000,168000,22,m,,,pub,,,1,,Other,",
    "N006,Violence with injury,2024-02-30T10:00,575000,168000,,,,,,,,,,,",
    "N007,Violence with injury,2024-03-15T10:00,9999999,168000,,,,,,,,,,,",
    "N008,Violence with injury,2024-03-15T10:00,575000,,,,,,,,,,,,",
    ",Violence with injury,2024-03-15T10:00,575000,168000,,,,,,,,,,,",
    "N010,,2024-03-15T10:00,575000,168000,,,,,,,,,,,",
    "N011,Violence with injury,2024-03-15T10:00,575000,168000,130,,,,,,,,,,",
    "N012,Violence with injury,2024-03-15T10:00,575000,168000,twelve,,,,,,,,,,",
    "N013,Violence with injury,2024-03-15T10:00,575000,168000,30,X,,,,,,,,,",
    "N014,Violence with injury,2024-03-15T10:00,575000,168000,30,M,,,castle,,,,,,",
    "N015,Violence with injury,2024-03-15T10:00,57500O,168000,,,,,,,,,,,",
    "N016,Violence with injury,2024-03-15T10:00,575000,168000,,,,,,,,,,",
    "N017,Violence with injury,2024-03-15,575000,168000,,,,,,,maybe,,,,",
    "N018,Violence with injury,,575000,168000,,,,,,,,,,,",
    "N019,violence-with-injury,2024-03-15T10:00,575000,168000,,,,,,,,,,,A&E",
]))

# Native schema, WGS84 coordinates and UK dates.
write("native_lonlat.csv", lines([
    "id,datetime,offence,longitude,latitude,victim_age",
    "L1,01/06/2024 22:10,Violence with injury,0.5210,51.2720,25",
    "L2,1/6/2024,Robbery,0.7440,51.3350,",
    "L3,2024-06-02T03:00,Violence with injury,-20.0,51.0,",
    "L4,2024-06-02T03:00,Violence with injury,,51.0,",
    "L5,2024-06-02T03:00,Violence with injury,abc,51.0,",
    "L6,2024-06-02T24:00,Violence with injury,0.52,51.27,",
]))

# Both coordinate pairs in the header; each row uses whichever pair it fills (grid first).
write("native_mixed.csv", lines([
    "id,datetime,offence,easting,northing,longitude,latitude",
    "M1,2024-06-01,Robbery,575000,168000,,",
    "M2,2024-06-01,Robbery,,,0.5210,51.2720",
    "M3,2024-06-01,Robbery,576000,169000,0.5210,51.2720",
    "M4,2024-06-01,Robbery,,,,",
]))

# data.police.uk street-level file exactly as published (Kent, March 2024; ids shortened to 64 hex as real ones).
def cid(n):
    return ("%064x" % (0x5f1c2e9a7b3d4c8e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8 + n * 7919))[-64:]


police = ["Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context"]
rows = [
    (cid(1), "0.522934", "51.271835", "On or near Week Street", "E01024403", "Maidstone 012A", "Violence and sexual offences", "Unable to prosecute suspect"),
    ("", "0.521560", "51.272301", "On or near Earl Street", "E01024403", "Maidstone 012A", "Anti-social behaviour", ""),
    (cid(2), "0.526120", "51.270455", "On or near Gabriel's Hill", "E01024404", "Maidstone 012B", "Shoplifting", "Investigation complete; no suspect identified"),
    (cid(3), "0.519871", "51.274012", "On or near Parking Area", "E01024401", "Maidstone 011C", "Vehicle crime", "Investigation complete; no suspect identified"),
    ("", "0.524410", "51.268803", "On or near Mill Street", "E01024404", "Maidstone 012B", "Anti-social behaviour", ""),
    (cid(4), "0.530412", "51.275590", "On or near Sittingbourne Road", "E01024410", "Maidstone 009D", "Burglary", "Under investigation"),
    (cid(5), "0.522934", "51.271835", "On or near Week Street", "E01024403", "Maidstone 012A", "Public order", "Status update unavailable"),
    (cid(6), "0.736512", "51.339817", "On or near High Street", "E01024321", "Swale 008A", "Violence and sexual offences", "Awaiting court outcome"),
    (cid(7), "", "", "No location", "", "", "Violence and sexual offences", "Unable to prosecute suspect"),
    (cid(8), "0.738104", "51.340520", "On or near Station Street", "E01024322", "Swale 008B", "Robbery", "Under investigation"),
    ("", "0.735220", "51.338600", "On or near Bell Road", "E01024321", "Swale 008A", "Anti-social behaviour", ""),
    (cid(9), "0.741930", "51.343221", "On or near Park Road", "E01024325", "Swale 007C", "Criminal damage and arson", "Investigation complete; no suspect identified"),
    (cid(10), "0.737001", "51.341094", "On or near Nightclub", "E01024322", "Swale 008B", "Violence and sexual offences", "Local resolution"),
    (cid(11), "0.550231", "51.385612", "On or near Chatham Hill", "E01016120", "Medway 020A", "Possession of weapons", "Awaiting court outcome"),
    (cid(12), "0.528890", "51.382204", "On or near Railway Street", "E01016115", "Medway 019C", "Drugs", "Local resolution"),
    (cid(13), "0.530121", "51.380777", "On or near Shopping Area", "E01016115", "Medway 019C", "Other theft", "Investigation complete; no suspect identified"),
    ("", "0.552004", "51.386310", "On or near Luton Road", "E01016120", "Medway 020A", "Anti-social behaviour", ""),
    (cid(14), "0.549870", "51.384999", "On or near Petrol Station", "E01016121", "Medway 020B", "Theft from the person", "Under investigation"),
    (cid(15), "0.527350", "51.381650", "On or near Supermarket", "E01016115", "Medway 019C", "Bicycle theft", "Investigation complete; no suspect identified"),
    (cid(16), "0.553312", "51.387120", "On or near Sports/Recreation Area", "E01016122", "Medway 020C", "Other crime", "Unable to prosecute suspect"),
]
for r in rows:
    crime_id, lon, lat, loc, lsoa, lsoa_name, ctype, outcome = r
    police.append(",".join([crime_id, "2024-03", "Kent Police", "Kent Police", lon, lat, loc, lsoa, lsoa_name, ctype, outcome, ""]))
write("police_uk_sample.csv", lines(police))

# Structure: BOM, CRLF, quoted commas/quotes/line breaks, blank lines, unterminated quote at EOF.
write("structure_crlf_bom_quotes.csv", b"\xef\xbb\xbf" + lines([
    "id,datetime,offence,easting,northing,location_type",                   # line 1
    'Q1,2024-01-05T10:00,"Violence, with injury",575000,168000,street',     # line 2
    'Q2,2024-01-05T10:00,"Violence with ""injury""",575000,168000,park',    # line 3
    '"Q3\r\nsecond line",2024-01-05T10:00,Robbery,575000,168000,"open space"',  # lines 4-5
    "",                                                                      # line 6 blank
    'Q4,2024-01-05T10:00,Robbery,575000,168000,"street"',                   # line 7
    "   ",                                                                   # line 8 blank
    "Q5,2024-01-05T25:00,Robbery,575000,168000,street",                     # line 9
    'Q6,2024-01-05T10:00,Robbery,575000,168000,"unterminated',              # line 10
    "Q7,2024-01-05T10:00,Robbery,575000,168000,street",                     # line 11, inside the open quote
], eol=b"\r\n"))

# Bytes: invalid UTF-8, NULs, non-ASCII, no final line break.
write("structure_bad_bytes.csv", lines([
    b"id,datetime,offence,easting,northing,victim_sex,notes",        # line 1
    b"B1,2024-01-05,Robbery,575000,168000,F,",                        # line 2
    b"B2,2024-01-05,Rob\xffbery,575000,168000,F,",                    # line 3
    b"B3,2024-01-05,Robbery,575000,168000,\xc3\x28,",                 # line 4
    b"B4,2024-01-05,Rob\x00bery,575000,168000,F,",                    # line 5
    b"B5,2024-01-05,Robbery,575\x00000,168000,F,",                    # line 6
    b"B6,2024-01-05,Robbery,575000,168000,M\xc3\xa4nnlich,",          # line 7
    b"B7,2024-01-05,Robbery,575000,168000,M,\xfe\xff not used",       # line 8
    b"B8,2024-01-05,Robbery,575000,168000,M,",                        # line 9, no line break after
], final=False))

# A 100,000-byte quoted note (with line breaks) in an unused column.
note = ("x" * 999 + "\n") * 100
write("structure_huge_field.csv", lines([
    "id,datetime,offence,easting,northing,notes",     # line 1
    "H1,2024-01-05,Robbery,575000,168000,short",      # line 2
    'H2,2024-01-05,Robbery,575000,168000,"' + note + '"',  # lines 3-103
    "H3,2024-01-05,Robbery,575000,168000,short",      # line 104
]))

write("empty.csv", b"")
write("only_blank_lines.csv", b"\xef\xbb\xbf\r\n\n   \n")
write("header_only.csv", b"id,datetime,offence,easting,northing\n")
write("missing_columns.csv", lines(["id,date,offence,easting", "X1,2024-01-01,Robbery,575000"]))
write("unrecognised_header.csv", lines(["a,b,c", "1,2,3"]))

# Partner extracts in invented but realistic layouts; mappings in Sources/SVDIngest/Mappings/.
write("ae_istv_extract.csv", lines([
    "AttendanceRef,Attendance Date,Arrival Time,Patient Age,Patient Sex,Assault Location Code,"
    "Assault Location Description,Weapon Code,Alcohol Consumed,Incident Easting,Incident Northing,Assailant Relationship",
    "ED24-000101,02/03/2024,23:40,19,1,01,Outside nightclub,K,Y,575400,168250,Stranger",
    "ED24-000102,02/03/2024,,34,2,03,Home,N,N,575900,168700,Partner",
    "ED24-000103,03/03/2024,01:15,,9,02,Pub,B,Y,575100,168050,Not stated",
    "ED24-000104,31/02/2024,12:00,22,1,01,Street,N,N,575000,168000,Stranger",
    "ED24-000105,04/03/2024,12.30,22,1,01,Street,N,N,575000,168000,Stranger",
    "ED24-000106,04/03/2024,14:05,45,3,01,Street,N,N,575000,168000,Stranger",
    "ED24-000107,05/03/2024,18:20,16,1,12,Shop,K,N,,,Acquaintance",
    '"ED24-000108",05/03/2024,19:00,15,2,07,"Shopping centre, lower mall",K,N,575300,168300,Ex-partner',
    "ED24-000109,06/03/2024,02:30:00,27,1,08,Other,U,Y,575200,168100,Friend",
]))

write("ambulance_callouts_extract.csv", lines([
    "Incident Number,Call Date Time,Determinant,Chief Complaint,Mechanism,Patient Age,Patient Gender,"
    "Incident Longitude,Incident Latitude,Location Category",
    "AMB-240301-0001,01/03/2024 22:47:10,27D01,Stab / Gunshot / Penetrating Trauma,Stab,17,Male,0.5225,51.2731,Street/Road",
    "AMB-240301-0002,01/03/2024 23:58:00,04B01,Assault / Sexual Assault,Blunt,24,Female,0.5301,51.2702,Licensed Premises",
    "AMB-240302-0003,2024-03-02 01:12:45,04A01,Assault / Sexual Assault,N/K,,Unknown,0.5400,51.2800,Residential",
    "AMB-240302-0004,02/03/2024 02:00:00,17A01,Falls,N/K,81,Female,0.5100,51.2650,Residential",
    "AMB-240302-0005,02/03/2024 03:10:00,04B01,Assault / Sexual Assault,Blunt,30,Male,0,0,Street/Road",
    "AMB-240302-0006,02/03/2024 04:00,04B01,Assault / Sexual Assault,Blunt,30,Male,0.53,51.27,Street/Road",
    "AMB-240302-0007,02/03/2024 05:00:00,04B01,Assault / Sexual Assault,Blunt,-5,Male,0.53,51.27,Street/Road",
    ",02/03/2024 06:00:00,04B01,Assault / Sexual Assault,Blunt,30,Male,0.53,51.27,Street/Road",
]))
