"""The `rtt` case of bench.py: the hello image pulled from a token-auth registry through two
latency proxies (tests/integration/harness/latency_proxy.py: 50 ms per request, 100 ms per new
connection, one proxy in front of the registry, one in front of its token server), so that
round trips and connections decide, as they do over a real network. Compares a first
`hocker image` (nothing remembered), a repeated one with --cache (the token, the realm and the
blobs remembered) and `skopeo copy`, and counts each one's requests and new connections."""
import os
import shutil

from harness.images import ImageBuilder
from harness.latency_proxy import LatencyPair
from harness.registry import Registry

RTT_REF = "library/hello:latest"


def _counted(runner, pair, argv, what):
    mark = pair.mark()
    sample = runner.run(argv, what)
    counts = pair.counts(mark)
    return sample, (counts["registry"]["requests"] + counts["token"]["requests"],
                    counts["registry"]["connections"] + counts["token"]["connections"])


def run_rtt_case(args, runner, work, hocker_bin, make_case, fmt_sample, rm):
    """Runs the case; returns (the Case objects for the report, {who: (requests, conns)})."""
    first = make_case("rtt hello first", "hocker", "skopeo", "rtt/first")
    cached = make_case("rtt hello --cache", "hocker", "skopeo", "rtt/cached")
    counts = {}
    print("\n[rtt] %d runs each through 50 ms/request + 100 ms/connection proxies: hocker "
          "(first pull) / hocker --cache (repeated) / skopeo (hello, token auth)" % args.runs,
          flush=True)
    os.makedirs(os.path.join(work, "rtt-registry"))
    reg = Registry("token", workdir=os.path.join(work, "rtt-registry"))
    try:
        reg.push(ImageBuilder(os.path.join(work, "rtt-images")).hello(), RTT_REF)
        creds = ["--username", reg.username, "--password", reg.password]
        with LatencyPair(reg) as pair:
            ref = "%s/%s" % (pair.host, RTT_REF)
            out = os.path.join(work, "rtt.tar")
            cache = os.path.join(work, "rtt-cache")
            hocker = [hocker_bin, "image", "-q", "--plain-http"] + creds + ["-o", out]
            skopeo = ["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                      "--src-creds", "%s:%s" % (reg.username, reg.password), "docker://" + ref,
                      "docker-archive:%s:%s" % (out, RTT_REF)]
            _, counts["hocker --cache (fill)"] = _counted(
                runner, pair, hocker + ["--cache", cache, ref], "hocker image --cache (fill)")
            rm(out)
            for i in range(args.runs):
                s, counts["hocker first"] = _counted(runner, pair, hocker + [ref], "hocker image")
                rm(out)
                sc, counts["hocker --cache"] = _counted(runner, pair,
                                                        hocker + ["--cache", cache, ref],
                                                        "hocker image --cache (repeated)")
                rm(out)
                s2, counts["skopeo"] = _counted(runner, pair, skopeo, "skopeo copy")
                rm(out)
                first.samples["hocker"].append(s)
                cached.samples["hocker"].append(sc)
                first.samples["skopeo"].append(s2)
                cached.samples["skopeo"].append(s2)
                print("  run %d: hocker %s | --cache %s | skopeo %s" % (
                    i + 1, fmt_sample(s), fmt_sample(sc), fmt_sample(s2)), flush=True)
    finally:
        reg.stop()
        shutil.rmtree(reg.workdir, ignore_errors=True)
    for who, (requests, connections) in counts.items():
        print("  %-22s %d requests on %d new connections" % (who, requests, connections))
    return [first, cached], counts
