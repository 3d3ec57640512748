#!/usr/bin/env python3
"""Checks a drift JSON report against the ground truth of a folder written by gen.py.

    python3 ../shared/tools/gen.py --out /tmp/drift-data/medium --scale medium
    target/release/drift diff /tmp/drift-data/medium/left /tmp/drift-data/medium/right \
        --format json > /tmp/report.json
    python3 tools/ground_truth.py /tmp/drift-data/medium /tmp/report.json

Prints how many injected changes drift reports as drift, which ones it reports with another status
(and the rule that decided it), which it does not report at all, and the drift findings that no
injected change explains. Matching is by entity and the path's first key: gen.py names
Terraform resources without their instance keys and flags by their flagd paths, so those match
by entity. Standard library only.
"""
import collections
import json
import re
import sys


def entity(change):
    res, source = change["resource"], change["source"]
    if source == "k8s":
        api = res["apiVersion"]
        group = api.split("/")[0] if "/" in api else "core"
        return "k8s:%s/%s/%s/%s" % (group, res["kind"], res.get("namespace") or "_", res["name"])
    if source == "terraform":
        return "tf:" + res["address"]
    if source == "dotenv":
        return "env:.env"
    return "flag:" + res["flag"]


def first_key(change):
    """The first map key of the change's path in drift's terms ('' for a whole entity)."""
    path = list(change.get("path") or [])
    if change["source"] == "terraform" and path[:1] == ["attributes"]:
        path = path[1:]
    if change["source"] == "flagd" and path[:1] == ["flags"]:
        path = path[2:]
    if change.get("level") in ("resource", "instance"):
        return ""
    return path[0] if path and isinstance(path[0], str) else ""


def finding_first_key(finding):
    path = finding["path"]
    match = re.match(r'^([A-Za-z0-9_-]+)|^\["((?:[^"\\]|\\.)*)"\]', path)
    if not path or not match:
        return path
    return match.group(1) or json.loads('"%s"' % match.group(2))


def same_entity(finding_entity, ent):
    # A Terraform resource in the ground truth is every instance of it in the report.
    return finding_entity == ent or (ent.startswith("tf:") and finding_entity.startswith(ent + "["))


def main():
    truth = json.load(open(sys.argv[1] + "/expected.json"))
    findings = [f for f in json.load(open(sys.argv[2]))["findings"] if f["change"] not in ("guard", "reuse")]
    by_entity = collections.defaultdict(list)
    for f in findings:
        by_entity[f["entity"].split("[")[0] if f["entity"].startswith("tf:") else f["entity"]].append(f)
    drift, other, missed, explained = 0, collections.Counter(), [], set()
    for change in truth["changes"]:
        ent, key = entity(change), first_key(change)
        bucket = by_entity.get(ent.split("[")[0] if ent.startswith("tf:") else ent, [])
        matches = [
            f for f in bucket
            if same_entity(f["entity"], ent)
            and (key == "" or f["path"] == "" or change["source"] == "flagd" or finding_first_key(f) == key)
        ]
        explained.update(id(f) for f in matches)
        if not matches:
            missed.append(change)
        elif any(f["status"] == "drift" for f in matches):
            drift += 1
        else:
            other[(change["source"], matches[0]["status"], matches[0].get("rule"))] += 1
    print("injected changes: %d; reported as drift: %d; with another status: %d; not reported: %d"
          % (len(truth["changes"]), drift, sum(other.values()), len(missed)))
    for (source, status, rule), count in other.most_common():
        print("  %-10s %-9s %-22s %d" % (source, status, rule, count))
    for change in missed:
        print("  not reported:", change["source"], entity(change), change.get("path"),
              change.get("op"), repr(change.get("left"))[:60], "->", repr(change.get("right"))[:60])
    unexplained = [f for f in findings if f["status"] == "drift" and id(f) not in explained]
    print("drift findings: %d; explained by no injected change: %d"
          % (sum(1 for f in findings if f["status"] == "drift"), len(unexplained)))
    for f in unexplained[:20]:
        print("  unexplained:", f["entity"], f["path"], f["change"])


if __name__ == "__main__":
    main()
