"""The `export` case of bench.py: `hocker export -o rootfs.tar` of the big image against the
tools that produce the same root filesystem tar: `skopeo copy` to an OCI layout + `umoci unpack
--rootless` + `tar -cf` of its rootfs, and (when a private dockerd can start) `docker pull` +
`docker create` + `docker export`. The dockerd's own CPU and memory are not seen by
/usr/bin/time (only the client's): compare wall clock for docker."""
import os
import shutil

from harness import consumers


def umoci_pipeline(host, ref, work):
    layout, bundle, out = (os.path.join(work, n) for n in ("oci", "bundle", "umoci.tar"))
    script = ("set -euo pipefail; skopeo --insecure-policy copy -q --src-tls-verify=false "
              "docker://{h}/{r} oci:{l}:v1; umoci unpack --rootless --image {l}:v1 {b}; "
              "tar -C {b}/rootfs -cf {o} .").format(h=host, r=ref, l=layout, b=bundle, o=out)
    return ["bash", "-c", script], [layout, bundle, out]


def docker_pipeline(daemon, host, ref, work):
    out = os.path.join(work, "docker.tar")
    client = " ".join(daemon.cmd())
    script = ("set -euo pipefail; {c} pull -q {h}/{r} >/dev/null; "
              "id=$({c} create {h}/{r} /nothing); {c} export -o {o} $id; {c} rm $id >/dev/null; "
              "{c} rmi {h}/{r} >/dev/null").format(c=client, h=host, r=ref, o=out)
    return ["bash", "-c", script], [out]


def run_export_case(args, runner, work, host, ref, hocker_bin, make_case, fmt_sample, rm):
    """Runs the case; returns the Case objects for the report."""
    out = os.path.join(work, "rootfs.tar")
    hocker = [hocker_bin, "export", "-q", "-o", out, "%s/%s" % (host, ref)]
    c_umoci = make_case("export %dMiB" % args.size_mib, "hocker", "skopeo+umoci+tar")
    c_docker = None
    daemon = None
    if shutil.which("dockerd"):
        try:
            os.makedirs(os.path.join(work, "dockerd"))
            daemon = consumers.DockerDaemon(workdir=os.path.join(work, "dockerd"))
            c_docker = make_case("export %dMiB" % args.size_mib, "hocker", "docker pull+export")
        except consumers.ConsumerUnavailable as e:
            print("  (no docker comparison: %s)" % str(e).splitlines()[0], flush=True)
    print("\n[export] %d runs each: hocker export / skopeo+umoci+tar%s" % (
        args.runs, " / docker pull+create+export" if daemon else ""), flush=True)
    try:
        for i in range(args.runs):
            s = runner.run(hocker, "hocker export")
            rm(out)
            argv, leftovers = umoci_pipeline(host, ref, work)
            s2 = runner.run(argv, "skopeo+umoci+tar")
            for path in leftovers:
                rm(path)
            c_umoci.samples["hocker"].append(s)
            c_umoci.samples["skopeo+umoci+tar"].append(s2)
            line = "  run %d: hocker %s | umoci %s" % (i + 1, fmt_sample(s), fmt_sample(s2))
            if daemon:
                argv, leftovers = docker_pipeline(daemon, host, ref, work)
                s3 = runner.run(argv, "docker pull+create+export")
                for path in leftovers:
                    rm(path)
                c_docker.samples["hocker"].append(s)
                c_docker.samples["docker pull+export"].append(s3)
                line += " | docker %s" % fmt_sample(s3)
            print(line, flush=True)
    finally:
        if daemon:
            daemon.stop()
    return [c for c in (c_umoci, c_docker) if c]
