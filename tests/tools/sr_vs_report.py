#!/usr/bin/python3
"""Reads a sijtrack TID 1500 SR with pydicom and checks its values against report.json.

Usage: sr_vs_report.py SR.dcm report.json SEG.dcm
Prints one line per checked value and "checked N values, M mismatches"; exits 1 on a mismatch
or when an expected value is missing. Independent of the C++ writer: only pydicom and json.
"""
import json
import sys

import pydicom


def code(item, seq="ConceptNameCodeSequence"):
    c = getattr(item, seq)[0]
    return (c.CodeValue, c.CodingSchemeDesignator)


def groups(ds):
    """Measurement groups (125007, DCM) anywhere in the tree, as dicts."""
    out = []

    def walk(items):
        for it in items:
            if it.ValueType == "CONTAINER" and code(it) == ("125007", "DCM"):
                out.append(it)
            if "ContentSequence" in it:
                walk(it.ContentSequence)

    walk(ds.ContentSequence)
    return out


def read_group(g):
    r = {"nums": [], "codes": {}, "points": [], "segment": None, "texts": []}
    for it in g.ContentSequence:
        if it.ValueType == "TEXT" and code(it) == ("112039", "DCM"):
            r["name"] = it.TextValue
        elif it.ValueType == "TEXT":
            r["texts"].append(it.TextValue)
        elif it.ValueType == "NUM":
            mv = it.MeasuredValueSequence[0]
            unit = mv.MeasurementUnitsCodeSequence[0]
            r["nums"].append((code(it), float(mv.NumericValue), (unit.CodeValue, unit.CodingSchemeDesignator)))
            for child in it.get("ContentSequence", []):
                if child.ValueType == "SCOORD3D":
                    r["points"].append([float(v) for v in child.GraphicData])
        elif it.ValueType == "CODE":
            r["codes"][code(it)] = code(it, "ConceptCodeSequence")
        elif it.ValueType == "IMAGE" and code(it) == ("121191", "DCM"):
            ref = it.ReferencedSOPSequence[0]
            r["segment"] = (ref.ReferencedSOPInstanceUID, int(ref.ReferencedSegmentNumber))
    return r


def main():
    sr = pydicom.dcmread(sys.argv[1])
    report = json.load(open(sys.argv[2]))
    seg = pydicom.dcmread(sys.argv[3])
    labels = {int(s.SegmentNumber): s.SegmentLabel for s in seg.SegmentSequence}
    found = {}
    for g in groups(sr):
        r = read_group(g)
        found[r.get("name")] = r
    checked, bad = 0, 0

    def expect(name, concept, unit, value, index=0, tol=1e-3):
        nonlocal checked, bad
        checked += 1
        g = found.get(name)
        nums = [n for n in (g["nums"] if g else []) if n[0] == concept]
        if len(nums) <= index:
            print("MISSING", name, concept)
            bad += 1
            return
        got = nums[index]
        ok = abs(got[1] - value) <= tol + 1e-5 * abs(value) and got[2] == unit
        print("ok  " if ok else "BAD ", name, concept, got[1], got[2], "report:", value)
        bad += not ok

    mm, ml, deg = ("mm", "UCUM"), ("ml", "UCUM"), ("deg", "UCUM")
    for n in report["needles"]:
        name = "needle %d" % n["id"]
        if n["joint_found"]:
            expect(name, ("121206", "DCM"), mm, n["tip_to_joint_mm"])
            checked += 1
            pts = found.get(name, {}).get("points", [])
            tip_ok = len(pts) == 1 and all(abs(a - b) <= 1e-3 for a, b in zip(pts[0], n["tip_mm"]))
            print("ok  " if tip_ok else "BAD ", name, "tip SCOORD3D", pts, "report:", n["tip_mm"])
            bad += not tip_ok
            checked += 1
            inside = found.get(name, {}).get("codes", {}).get(("111438", "DCM"))
            want = ("373066001", "SCT") if n["tip_in_joint"] else ("373067005", "SCT")
            print("ok  " if inside == want else "BAD ", name, "in joint", inside, "report:", n["tip_in_joint"])
            bad += inside != want
        expect(name, ("410668003", "SCT"), mm, n["inserted_length_mm"])
        expect(name, ("110859", "DCM"), deg, n["angle_to_axial_deg"], 0, 1e-2)
        expect(name, ("110859", "DCM"), deg, n["angle_in_axial_deg"], 1, 1e-2)
        checked += 1
        texts = found.get(name, {}).get("texts", [])
        unc = "+/- %.2f mm" % n["tip_uncertainty_mm"]
        ok = any(unc in t for t in texts)
        print("ok  " if ok else "BAD ", name, "uncertainty", unc, texts)
        bad += not ok
    for j in report["joints"]:
        expect("joint " + j["side"], ("103355008", "SCT"), mm, j["gap_width_mm"])
        expect("joint " + j["side"], ("118565006", "SCT"), ml, j["volume_ml"], 0, 1e-4)
    gas = report["gas"]
    by_label = {"injected gas": "injected_ml", "injected gas, intra-articular": "intra_articular_ml",
                "injected gas, peri-articular": "peri_articular_ml", "injected gas, distant": "distant_ml",
                "pre-existing gas": "preexisting_ml"}
    seen_total = False
    for label, key in by_label.items():
        g = found.get(label)
        if g is None:
            continue
        seen_total |= key == "injected_ml"
        expect(label, ("118565006", "SCT"), ml, gas[key])
        checked += 1
        ok = g["segment"] is not None and g["segment"][0] == seg.SOPInstanceUID and labels.get(g["segment"][1]) == label
        print("ok  " if ok else "BAD ", label, "segment reference", g["segment"])
        bad += not ok
    if not seen_total:
        print("MISSING injected gas total")
        bad += 1
    checked += 1
    verdict = []

    def texts(items):
        for it in items:
            if it.ValueType == "TEXT" and code(it) == ("121106", "DCM"):
                verdict.append(it.TextValue)
            if "ContentSequence" in it and not (it.ValueType == "CONTAINER" and code(it) == ("125007", "DCM")):
                texts(it.ContentSequence)

    texts(sr.ContentSequence)
    ok = report["verdict"]["line"] == "" or report["verdict"]["line"] in verdict
    print("ok  " if ok else "BAD ", "verdict", verdict)
    bad += not ok
    print("checked %d values, %d mismatches" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
