#!/usr/bin/env python3
"""Writes N native-schema rows (~120 bytes each) for hand measurement of SVDIngest throughput."""
import random, sys
n = int(sys.argv[1]); out = sys.argv[2]
rng = random.Random(1)
offences = ["Violence with injury", "Violence without injury", "Robbery of personal property", "Homicide", "Public order"]
places = ["street", "pub", "dwelling", "park", "", "retail"]
sexes = ["M", "F", ""]
weapons = ["knife", "none", "", "other"]
with open(out, "w") as f:
    f.write("id,datetime,offence,easting,northing,victim_age,victim_sex,suspect_age,suspect_sex,location_type,domestic,alcohol,drugs,weapon,source\n")
    for i in range(n):
        f.write(f"KNT/24/{i:09d},2024-{rng.randint(1,12):02d}-{rng.randint(1,28):02d}T{rng.randint(0,23):02d}:{rng.randint(0,59):02d},"
                f"{rng.choice(offences)},{rng.uniform(540000,610000):.1f},{rng.uniform(130000,180000):.1f},{rng.randint(0,90)},"
                f"{rng.choice(sexes)},{rng.randint(10,70)},{rng.choice(sexes)},{rng.choice(places)},{rng.choice(['yes','no',''])},{rng.choice(['y','n',''])},{rng.choice(['y','n',''])},"
                f"{rng.choice(weapons)},Kent Police\n")
