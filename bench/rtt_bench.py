"""The `rtt` case of bench.py: the hello image pulled from a token-auth registry through two
latency proxies (tests/integration/harness/latency_proxy.py: 50 ms per request, 100 ms per new
connection, one proxy in front of the registry, one in front of its token server), so that
round trips and connections decide, as they do over a real network. Compares `skopeo copy` with
three `hocker image` runs: a cold one (nothing remembered: an empty user cache folder), a first
pull of the image by a hocker that pulled from this registry before (only the token realm
remembered, in the user cache folder, as without --cache), and a repeated one with --cache (the
token, the realm and the blobs remembered); and counts each one's requests and new
connections."""
import os
import shutil

from harness.images import ImageBuilder
from harness.latency_proxy import LatencyPair
from harness.registry import Registry

RTT_REF = "library/hello:latest"


def _counted(runner, pair, argv, what, env=None):
    mark = pair.mark()
    sample = runner.run(argv, what, env)
    counts = pair.counts(mark)
    return sample, (counts["registry"]["requests"] + counts["token"]["requests"],
                    counts["registry"]["connections"] + counts["token"]["connections"])


def run_rtt_case(args, runner, work, hocker_bin, make_case, fmt_sample, rm):
    """Runs the case; returns (the Case objects for the report, {who: (requests, conns)})."""
    cold = make_case("rtt hello cold", "hocker", "skopeo", "rtt/cold")
    first = make_case("rtt hello first (realm)", "hocker", "skopeo", "rtt/first")
    cached = make_case("rtt hello --cache", "hocker", "skopeo", "rtt/cached")
    counts = {}
    print("\n[rtt] %d runs each through 50 ms/request + 100 ms/connection proxies: hocker "
          "(cold) / hocker (first pull, realm remembered) / hocker --cache (repeated) / skopeo "
          "(hello, token auth)" % args.runs, flush=True)
    os.makedirs(os.path.join(work, "rtt-registry"))
    reg = Registry("token", workdir=os.path.join(work, "rtt-registry"))
    try:
        reg.push(ImageBuilder(os.path.join(work, "rtt-images")).hello(), RTT_REF)
        creds = ["--username", reg.username, "--password", reg.password]
        with LatencyPair(reg) as pair:
            ref = "%s/%s" % (pair.host, RTT_REF)
            out = os.path.join(work, "rtt.tar")
            cache = os.path.join(work, "rtt-cache")
            cold_home = {"XDG_CACHE_HOME": os.path.join(work, "rtt-cold-xdg")}
            realm_home = {"XDG_CACHE_HOME": os.path.join(work, "rtt-realm-xdg")}
            hocker = [hocker_bin, "image", "-q", "--plain-http"] + creds + ["-o", out]
            skopeo = ["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                      "--src-creds", "%s:%s" % (reg.username, reg.password), "docker://" + ref,
                      "docker-archive:%s:%s" % (out, RTT_REF)]
            fills = ((hocker + ["--cache", cache, ref], None, "hocker --cache (fill)"),
                     (hocker + [ref], realm_home, "hocker (realm fill)"))
            for argv, env, what in fills:
                _, counts[what] = _counted(runner, pair, argv, what, env)
                rm(out)
            runs = ((cold, "hocker cold", hocker + [ref], cold_home),
                    (first, "hocker first (realm)", hocker + [ref], realm_home),
                    (cached, "hocker --cache", hocker + ["--cache", cache, ref], None))
            for i in range(args.runs):
                line = []
                for case, who, argv, env in runs:
                    if case is cold:
                        shutil.rmtree(cold_home["XDG_CACHE_HOME"], ignore_errors=True)
                    s, counts[who] = _counted(runner, pair, argv, who, env)
                    rm(out)
                    case.samples["hocker"].append(s)
                    line.append("%s %s" % (who, fmt_sample(s)))
                s2, counts["skopeo"] = _counted(runner, pair, skopeo, "skopeo copy")
                rm(out)
                for case in (cold, first, cached):
                    case.samples["skopeo"].append(s2)
                print("  run %d: %s | skopeo %s" % (i + 1, " | ".join(line), fmt_sample(s2)),
                      flush=True)
    finally:
        reg.stop()
        shutil.rmtree(reg.workdir, ignore_errors=True)
    for who, (requests, connections) in counts.items():
        print("  %-22s %d requests on %d new connections" % (who, requests, connections))
    return [cold, first, cached], counts
