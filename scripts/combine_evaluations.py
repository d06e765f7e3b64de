# Combines `sijtrack evaluate --csv` files of one scenario (several seed ranges) into the rows of
# docs/accuracy.md: python3 scripts/combine_evaluations.py a.csv b.csv
import csv, sys, statistics as st
def pct(v, q):
    # linear interpolation between ranks, as sijtrack evaluate computes it
    v = sorted(v)
    if not v: return float('nan')
    r = q * (len(v) - 1); lo = int(r); hi = min(lo + 1, len(v) - 1)
    return v[lo] + (r - lo) * (v[hi] - v[lo])
rows = []
for p in sys.argv[1:]:
    rows += list(csv.DictReader(open(p)))
seeds = sorted({int(r['seed']) for r in rows})
needle = [r for r in rows if r['scan'] == 'needle_final']
planning = [r for r in rows if r['scan'] == 'planning']
pre = [r for r in rows if r['scan'] in ('planning', 'needle_final', 'needle_partway')]
post = [r for r in rows if r['scan'] == 'post_injection']
f = lambda r, k: float(r[k])
tips = [f(r, 'tip_error_mm') for r in needle if r['matched'] == '1']
lat = [abs(f(r, 'lateral_mm')) for r in needle if r['matched'] == '1']
dep = [f(r, 'depth_mm') for r in needle if r['matched'] == '1']
dirs = [f(r, 'direction_deg') for r in needle if r['matched'] == '1']
inout = [r['in_joint_correct'] == '1' for r in needle if r['in_joint_correct'] != '']
ttj = [abs(f(r, 'tip_to_joint_error_mm')) for r in needle if r['tip_to_joint_error_mm'] != '']
side = [r['side_correct'] == '1' for r in needle if r['matched'] == '1']
print(f"procedures {len(seeds)} (seeds {seeds[0]}-{seeds[-1]})")
print(f"needle found {sum(r['matched']=='1' for r in needle)} / {len(needle)}")
print(f"tip error median / p95 / max {st.median(tips):.2f} / {pct(tips,.95):.2f} / {max(tips):.2f}")
print(f"lateral median / p95 {st.median(lat):.2f} / {pct(lat,.95):.2f}; depth median / p95 {st.median(dep):+.2f} / {pct(dep,.95):+.2f}")
print(f"direction median / max {st.median(dirs):.2f} / {max(dirs):.2f}; side right {100*sum(side)/len(side):.0f} %")
print(f"in/out right {sum(inout)} / {len(inout)} ({100*sum(inout)/len(inout):.1f} %); wrong seeds {[r['seed'] for r in needle if r['in_joint_correct']=='0']}")
print(f"tip-to-joint |error| median / p95 {st.median(ttj):.2f} / {pct(ttj,.95):.2f}")
print(f"needles on planning scans {sum(int(r['needles_reported']) for r in planning)} in {len(planning)}")
rel, ab, intra, dice = [], [], [], []
for r in post:
    t, a = f(r, 'gas_truth_ml'), f(r, 'gas_injected_ml')
    ab.append(abs(a - t))
    if t > 0: rel.append(abs(a - t) / t)
    it, ia = f(r, 'gas_intra_truth_ml'), f(r, 'gas_intra_ml')
    if it > 0: intra.append(abs(ia - it) / it)
    if t >= 0.5 and r['gas_dice'] != '': dice.append(f(r, 'gas_dice'))
print(f"injected rel median / p95 {100*st.median(rel):.1f} % / {100*pct(rel,.95):.1f} %; abs median / p95 {st.median(ab):.3f} / {pct(ab,.95):.3f}")
print(f"intra rel median {100*st.median(intra):.1f} % (n={len(intra)})")
print(f"Dice median / min {st.median(dice):.3f} / {min(dice):.3f}")
bowel = [f(r, 'gas_bowel_as_injected_ml') for r in rows if r['gas_bowel_as_injected_ml'] != '']
print(f"bowel as injected max {max(bowel):.3f}; scans > 0: {sum(b > 0 for b in bowel)}")
pre_inj = [f(r, 'gas_injected_ml') for r in pre]
print(f"injected before injection: max {max(pre_inj):.3f}; scans > 0.02: {sum(v > 0.02 for v in pre_inj)} / {len(pre_inj)}")
am = [f(r, 'analysis_ms') for r in rows if r['analysis_ms'] != '']
print(f"analysis ms median {st.median(am):.0f}")
