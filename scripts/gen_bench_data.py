#!/usr/bin/env python3
"""Writes the benchmark data of scripts/bench-import.sh and scripts/bench-api.sh into WORK:
units.csv (10 units over Lu'an's 7 counties), persons.csv (P persons, valid ID numbers, person
i in unit i % 10) and certs.csv (N base certificates of 10 hours in 2026, person i % P).

    scripts/gen_bench_data.py WORK N P
"""
import sys, random, datetime
work, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(2026)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def id_number(body):
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def credit(body):
    return body + CS[(31 - sum(CS.index(c) * w for c, w in zip(body, CW)) % 31) % 31]
counties = ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
units = [credit("12" + counties[i % 7] + "MB%07d" % i) for i in range(10)]
with open(f"{work}/units.csv", "w") as f:
    f.write("统一社会信用代码,单位名称,所在地区,行业,单位类型\n")
    for i, u in enumerate(units):
        f.write(f"{u},基准单位{i},{counties[i % 7]},卫生健康,事业单位\n")
persons = []
with open(f"{work}/persons.csv", "w") as f:
    f.write("身份证号,姓名,单位统一社会信用代码,入职日期,人员类别\n")
    for i in range(p):
        born = datetime.date(1965, 1, 1) + datetime.timedelta(days=i // 1000)
        idn = id_number("%s%s%03d" % (counties[i % 7], born.strftime("%Y%m%d"), i % 1000))
        name = "测" + "".join("零一二三四五六七八九"[int(c)] for c in "%06d" % i)
        persons.append((idn, name))
        f.write(f"{idn},{name},{units[i % 10]},2020-01-01,{'老人' if i % 2 else '新人'}\n")
with open(f"{work}/certs.csv", "w") as f:
    f.write("身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果,计入年度\n")
    for i in range(n):
        idn, name = persons[i % p]
        day = 1 + i % 28
        f.write(f"{idn},{name},{1 + i % 4},AH2026{i:010d},专业技术人员公需科目,10,2026-{1 + i % 10:02d}-{day:02d},合格,2026\n")
