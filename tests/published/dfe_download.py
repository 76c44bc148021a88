"""A small hand-made DfE download folder, in the formats of ../shared/benchmarks/dfe, for build tests.

Each file holds a few rows chosen so every figure in the built database can be stated in a test:
suppression marks ("x", "c", "z", "low", "k", "u", LAIT's "-"), LAIT's scientific notation, byte-order
marks, the 2021 neighbour file's repeated 'SNP' header and its 'Old SNs:' section.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

BOM = "\ufeff"
EES = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
       "old_la_code,new_la_code,la_name")

DICTIONARY = (
    '"Measure_code","Topic","Measure","Chart_title","Measure_short","Polarity","y_axis_name",'
    '"state_funded_flag","Description","Methodology","Year_Type","No_Quartile"\n'
    '"171","Children in Need","Children in Need rate per 10,000","CIN rate","CIN","Low","Rate per 10,000",'
    'NA,"Children in need at 31 March,\nper 10,000 children.","census","Annual",NA\n'
    # code 290 names two measures: a catalogue indicator must name the measure by its short name
    '"290","Child Protection","Referrals closed with NFA","NFA","CIN_Refferals_NFA","-","%",NA,"",""'
    ',"Financial Year","N"\n'
    '"290","Child Protection","Referrals assessed not in need","Not in need","Referrals_AssessedNotNeed",'
    '"Low","%",NA,"","","Financial Year",NA\n'
    # listed under two topics: kept once, under the children's social care one
    '"250","All Pupil Absence & Exclusions","CIN permanent exclusions","Excl","CINPermExclusion","Low",'
    '"%",NA,"","","Academic Year",NA\n'
    '"250","Children in Need","CIN permanent exclusions","Excl","CINPermExclusion","Low","%",NA,"","",'
    '"Academic Year",NA\n'
    '"10","Key Stage 2","Reading, writing and maths","KS2","KS2_RWM","High","%",NA,"","","Academic Year",NA\n'
    '"11","Children\'s Service Finance","Spend on looked after children","Spend","LACFinance","-","£",NA,'
    '"","","Financial Year",NA\n'
)

LAIT_ROWS = [  # Short Desc, Years, LA and Regions, Values, LA Number, Region
    ("CIN", "2018", "Blackpool", "632.5", 890.0, "North West"),
    ("CIN", "2018", "Hartlepool", "-", 805.0, "North East"),
    ("CIN", "2018", "England", "345.4", 970.0, "NA"),
    ("CIN", "2018", "North West", "379.69999999999999", 981.0, "NA"),
    ("CIN", "2019", "Blackpool", "805.6", 890.0, "North West"),
    ("CIN_Refferals_NFA", "2018", "Blackpool", "7.0000000000000007E-2", 890.0, "North West"),
    ("Referrals_AssessedNotNeed", "2018", "Blackpool", "1.2E+1", 890.0, "North West"),
    ("CINPermExclusion", "2018", "Blackpool", "0.5", 890.0, "North West"),
    ("LACFinance", "2017-18 (OT)", "Blackpool", "1234567", 890.0, "North West"),
    ("LACFinance", "2017-18 (OT)", "Inner London", "-", 987.0, "NA"),
    ("KS2_RWM", "2018", "Blackpool", "60", 890.0, "North West"),  # school attainment: not kept
]

B1 = (BOM + EES + ",category,At31_episodes,Started_episodes\n"
      "2018,Reporting year,National,E92000001,England,,,,,,Children in Need,404710,x\n"
      "2018,Reporting year,Regional,E92000001,England,E12000002,North West,,,,Children in Need,61470,low\n"
      "2018,Reporting year,Local authority,E92000001,England,E12000002,North West,890,E06000009,Blackpool,"
      "Children in Need,1796,c\n"
      "2018,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,"
      "Children in Need,z,u\n")
B1_STEM = "b1_children_in_need_2013_to_2025.csv"

LEAVERS = (EES.replace("new_la_code,la_name", "la_name,new_la_code")
           + ",care_leaver_age,breakdown,care_leaver_count,care_leaver_percent\n"
           "2024,Reporting year,Local authority,E92000001,England,E12000002,North West,890,Blackpool,E06000009,"
           "17 to 18 years,Total,60,100\n"
           "2024,Reporting year,Local authority,E92000001,England,E12000002,North West,890,Blackpool,E06000009,"
           "17 to 18 years,In an apprenticeship,2,k\n"
           "2024,Reporting year,Local authority,E92000001,England,E12000002,North West,890,Blackpool,E06000009,"
           "19 to 21 years,Total,150,100\n")

WORKFORCE = (EES + ",vacancy_rate_fte,caseload_fte\n"
             "2018,Reporting year,Local authority,E92000001,England,E12000002,North West,890,E06000009,"
             "Blackpool,7.4,18.1\n"
             # two authorities sharing a service publish one row: kept as a group
             "2018,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940 / 941,,"
             "North and West Northamptonshire,12.0,16.0\n")

POPULATION = (EES + ",age_group,population_estimate\n"
              "2017,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11755593\n"
              "2017,Reporting year,Local authority,E92000001,England,E12000002,North West,890,E06000009,"
              "Blackpool,Children aged 0 to 17 years,28397\n"
              "2017,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,"
              "Hartlepool,Children aged 0 to 17 years,x\n")

SN_2025 = (BOM + "old_la_code,la_name,region_ind,region_name,"
           + ",".join(f"SN_{k},SN_{k}P" for k in range(1, 11)) + "\n"
           "890,Blackpool,2,North West,805,Very close,806,Close ,394,Close,341,Close,393,Close,807,Close,"
           "354,Close,880,Close,355,Somewhat close,861,Not close\n"
           "805,Hartlepool,1,North East,890,Close ,,,,,,,,,,,,,,,,,,\n")

SN_2021 = (BOM + "LA num,LA Name,LA number,GOInd,GOReg,"
           + ",".join(f"SN{k},SNP" for k in range(1, 11)) + ",\n"
           "890,Blackpool,890,2,North West,805,Very Close,806,Very Close,876,Very Close,807,Very Close,"
           "861,Very Close,393,Close,810,Close,812,Close,340,Close,357,Close,\n"
           + "," * 25 + "\n"
           ",Old SNs:" + "," * 24 + "\n"
           "928,Northamptonshire,928,1,East Midlands,886,Very Close,891,Very Close,866,Very Close,860,"
           "Very Close,830,Very Close,881,Very Close,937,Very Close,885,Very Close,888,Very Close,887,"
           "Very Close,\n")


def write_download(folder: Path) -> Path:
    """Write the hand-made download into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    lait = pl.DataFrame(LAIT_ROWS, schema={"Short Desc": pl.String, "Years": pl.String,
                                           "LA and Regions": pl.String, "Values": pl.String,
                                           "LA Number": pl.Float64, "Region": pl.String}, orient="row")
    lait.insert_column(1, pl.Series("Data item", ["item"] * lait.height)).write_parquet(
        folder / "lait_bds_long.parquet")
    files = {
        "lait_data_dictionary.csv": DICTIONARY,
        B1_STEM: B1,
        "la_care_leavers_activity.csv": LEAVERS,
        "csww_indicators_2017_to_2025.csv": WORKFORCE,
        "ons_mid-year_population_estimates_2012_to_2024.csv": POPULATION,
        "sn_model_2025_wide.csv": SN_2025,
        "New_Statistical_Neighbour_Groupings_April_2021.csv": SN_2021,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    (folder / "LA_Inspection_Outcomes_as_at_31_March_2025.ods").write_bytes(b"PK\x03\x04 not read")
    return folder
