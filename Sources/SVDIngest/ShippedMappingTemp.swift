// TEMPORARY until the demo-partners branch lands its generated file.
/// Mappings compiled into svd, so `file.csv:ae-istv` needs no YAML on disk.
public enum ShippedMapping: String, CaseIterable, Sendable {
    case aeISTV = "ae-istv", ambulance

    public var yaml: String {
        switch self {
        case .aeISTV: #"""
# A&E information sharing to tackle violence (ISTV, the "Cardiff Model"): the monthly anonymised extract an
# emergency department shares with the community safety partnership. One row per attendance after assault.
# The column names are those of a typical ED system export; rename the right-hand sides to match yours.
name: A&E ISTV
source: {value: "A&E"}
id: AttendanceRef
date:
  column: Attendance Date
  format: dd/MM/yyyy
time:                                  # blank time → hour unknown
  column: Arrival Time
  formats: [HH:mm, "HH:mm:ss"]
offence: {value: assault}              # every ISTV record is an assault attendance
coordinates: bng                       # geocoded assault location (the ED records a place; the analyst geocodes it)
easting: Incident Easting
northing: Incident Northing
victim_age: Patient Age
victim_sex:
  column: Patient Sex
  map: {1: male, 2: female, 9: unknown}    # NHS Data Dictionary person stated gender codes
location_type:
  column: Assault Location Code
  map:
    "01": street
    "02": licensed premises
    "03": dwelling
    "04": park
    "05": transport hub
    "06": school
    "07": retail
    "08": other
    "99": unknown
weapon:
  column: Weapon Code
  map: {K: knife, G: firearm, B: other, N: none, U: unknown}   # B = blunt object
alcohol: Alcohol Consumed              # Y/N
domestic:
  column: Assailant Relationship
  map: {Partner: yes, Ex-partner: yes, Family member: yes, Stranger: no, Acquaintance: no, Not stated: unknown}
  default: unknown                     # any other relationship text: unknown rather than rejected
"""#
        case .ambulance: #"""
# Ambulance service call-outs to violence: the extract an ambulance trust shares with a VRU, one row per
# incident, with the dispatch triage (chief complaint) and the incident location as longitude/latitude.
name: ambulance
source: {value: ambulance}
id: Incident Number
datetime:
  column: Call Date Time
  formats: ["dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss"]
offence:
  column: Chief Complaint              # unmapped complaints (e.g. Falls) keep their own name; the definitions put them out of scope
  map:
    "Assault / Sexual Assault": assault
    "Stab / Gunshot / Penetrating Trauma": assault with injury
weapon:
  column: Mechanism
  map: {Stab: knife, Gunshot: firearm, Blunt: other, N/K: unknown}
coordinates: wgs84
longitude: Incident Longitude
latitude: Incident Latitude
victim_age: Patient Age
victim_sex: Patient Gender             # Male/Female/Unknown are already understood
location_type:
  column: Location Category
  map:
    Street/Road: street
    Licensed Premises: licensed premises
    Residential: dwelling
    Railway Station: transport hub
    Public Building: other
  default: other
"""#
        }
    }

    public func mapping() throws -> ColumnMapping { try ColumnMapping(yaml: yaml, source: rawValue) }
}
