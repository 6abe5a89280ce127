# hocker's Nix library: container images pinned by a lockfile (`hocker lock`), fetched blob by
# blob into fixed-output derivations and assembled into the archive `hocker image` would write.
# Needs no nixpkgs: every derivation is a plain `derivation` whose builder is hocker itself.
#
#   let hockerLib = import ./nix { }; in
#   hockerLib.fetchImage { lockFile = ./hocker.lock; hocker = pkgs.hocker; }
{ }:
let
  inherit (builtins)
    concatMap
    elemAt
    filter
    foldl'
    fromJSON
    genList
    head
    isInt
    length
    readFile
    replaceStrings
    split
    stringLength
    substring
    ;

  # The variables a fixed-output build may take from the caller's environment: credentials
  # (hocker reads DOCKER_USER/DOCKER_PASS, DOCKER_TOKEN, and $DOCKER_CONFIG/config.json), CA
  # bundles and proxies. They never enter a .drv file, so secrets stay out of the store.
  impureEnvVars = [
    "DOCKER_USER"
    "DOCKER_PASS"
    "DOCKER_TOKEN"
    "DOCKER_CONFIG"
    "SSL_CERT_FILE"
    "NIX_SSL_CERT_FILE"
    "http_proxy"
    "https_proxy"
    "all_proxy"
    "no_proxy"
    "HTTP_PROXY"
    "HTTPS_PROXY"
    "ALL_PROXY"
    "NO_PROXY"
  ];

  # "sha256:HEX" → "HEX"; only sha256 digests can be fixed-output hashes as they are.
  hexOf =
    digest:
    if substring 0 7 digest == "sha256:" then
      substring 7 (stringLength digest) digest
    else
      throw "hocker: only sha256 digests can be fetched by Nix, not ${digest}";

  components = text: filter (part: part != "" && !(builtins.isList part)) (split "/" text);
  lastOf = list: elemAt list (length list - 1);

  # The platform Nix builds for, as a container image names it: Linux, with the CPU mapped as
  # docker maps `uname -m` (an image for another OS would not run in a Linux container anyway).
  hostPlatform =
    system:
    let
      cpu = head (components (replaceStrings [ "-" ] [ "/" ] system));
      table = {
        x86_64 = "linux/amd64";
        aarch64 = "linux/arm64/v8";
        armv7l = "linux/arm/v7";
        armv6l = "linux/arm/v6";
        armv5tel = "linux/arm/v5";
        i686 = "linux/386";
        powerpc64le = "linux/ppc64le";
        s390x = "linux/s390x";
        riscv64 = "linux/riscv64";
      };
    in
    table.${cpu} or (throw "hocker: no container platform known for the Nix system ${system}");

  # os/architecture/variant, normalised as hocker's Platform::matches does: arm64 means arm64/v8
  # and arm means arm/v7 when no variant is given.
  parsePlatform =
    text:
    let
      parts = components text;
      architecture = elemAt parts 1;
      given = if length parts > 2 then elemAt parts 2 else "";
      defaults = {
        arm64 = "v8";
        arm = "v7";
      };
    in
    if length parts < 2 || length parts > 3 then
      throw "hocker: a platform is os/arch[/variant], not ${text}"
    else
      {
        os = elemAt parts 0;
        inherit architecture;
        variant = if given == "" then defaults.${architecture} or "" else given;
      };
  platformString =
    p: "${p.os}/${p.architecture}" + (if (p.variant or "") != "" then "/${p.variant}" else "");

  selectImage =
    lock: image:
    let
      images = lock.images;
      byReference = filter (entry: entry.reference == image) images;
    in
    if length images == 0 then
      throw "hocker: the lockfile locks no image"
    else if image == null then
      {
        index = 0;
        entry = head images;
      }
    else if isInt image then
      if image >= 0 && image < length images then
        {
          index = image;
          entry = elemAt images image;
        }
      else
        throw "hocker: the lockfile has no image ${toString image}"
    else if byReference != [ ] then
      let
        entry = head byReference;
        positions = filter (i: (elemAt images i).reference == image) (genList (i: i) (length images));
      in
      {
        index = head positions;
        inherit entry;
      }
    else
      throw "hocker: the lockfile has no image ${image}";

  selectPlatform =
    entry: platform: system:
    let
      platforms = entry.platforms;
      wanted = parsePlatform (if platform != null then platform else hostPlatform system);
      matching = filter (
        locked:
        let
          p = parsePlatform (platformString locked.platform);
        in
        p.os == wanted.os && p.architecture == wanted.architecture && p.variant == wanted.variant
      ) platforms;
    in
    if platform == null && length platforms == 1 then
      head platforms
    else if matching != [ ] then
      head matching
    else
      throw (
        "hocker: ${entry.reference} has no platform ${platformString wanted}; locked: "
        + builtins.concatStringsSep ", " (map (p: platformString p.platform) platforms)
      );
in
rec {
  inherit impureEnvVars hostPlatform;

  # One blob of `registry`/`repository` (a manifest when `isManifest`), fetched by digest into a
  # fixed-output derivation whose hash is the registry digest itself. Its name depends on the
  # digest only (plus `namePrefix`), so an image sharing a layer with another shares its store
  # path, whichever image asked first. The name must keep ending with the hex digest: hocker
  # assemble recognises --blob files by it.
  fetchBlob =
    {
      registry,
      repository,
      digest,
      isManifest ? false,
      hocker,
      system ? builtins.currentSystem,
      namePrefix ? "",
      # Extra hocker options for the fetch, e.g. [ "--plain-http" ] or [ "--ca-file" "…" ].
      fetchArgs ? [ ],
      sslCertFile ? null,
    }:
    let
      hex = hexOf digest;
      out = builtins.placeholder "out";
      command =
        if isManifest then
          [ "manifest" "--quiet" "--out" out ] ++ fetchArgs ++ [ "${registry}/${repository}@${digest}" ]
        else
          [ "layer" "--quiet" "--layer" digest "--out" out ] ++ fetchArgs ++ [ "${registry}/${repository}" ];
    in
    derivation (
      {
        name = "${namePrefix}blob-sha256-${hex}";
        inherit system impureEnvVars;
        builder = "${hocker}/bin/hocker";
        args = command;
        outputHashAlgo = "sha256";
        outputHashMode = "flat";
        outputHash = hex;
        preferLocalBuild = true;
      }
      // (if sslCertFile != null then { SSL_CERT_FILE = sslCertFile; } else { })
    );

  # The archive `hocker image` writes for one locked image and platform (docker format: for
  # docker load; oci: an OCI layout in a tar), or its root filesystem as `hocker export` writes
  # it (rootfs: one tar, no VM needed), assembled offline by `hocker assemble` from one
  # fixed-output derivation per blob.
  fetchImage =
    {
      lockFile,
      # The image: its reference as written in the lockfile, or its index (default: the first).
      image ? null,
      # "os/arch[/variant]"; default: the only one locked, else the one for `system`.
      platform ? null,
      format ? "docker",
      # NAME:TAG recorded for docker load (default: the locked reference).
      tag ? null,
      hocker,
      system ? builtins.currentSystem,
      name ? null,
      namePrefix ? "",
      fetchArgs ? [ ],
      sslCertFile ? null,
    }:
    let
      lock = fromJSON (readFile lockFile);
      selected = selectImage lock image;
      entry = selected.entry;
      locked = selectPlatform entry platform system;
      blob =
        isManifest: descriptor:
        fetchBlob {
          inherit (entry) registry repository;
          inherit (descriptor) digest;
          inherit isManifest hocker system namePrefix fetchArgs sslCertFile;
        };
      # A layer listed twice in the manifest is fetched (and passed) once.
      layers = foldl' (kept: layer: if builtins.elem layer kept then kept else kept ++ [ layer ]) [ ] (
        map (layer: layer.digest) locked.layers
      );
      blobs =
        [
          (blob true locked.manifest)
          (blob false locked.config)
        ]
        ++ map (digest: blob false { inherit digest; }) layers;
      label = if entry.tag != null then entry.tag else substring 7 12 entry.digest;
      lockInStore = builtins.path {
        path = lockFile;
        name = "hocker.lock";
      };
    in
    assert builtins.elem format [
      "docker"
      "oci"
      "rootfs"
    ];
    derivation {
      name =
        if name != null then
          name
        else
          "${lastOf (components entry.repository)}-${label}-${
            replaceStrings [ "/" ] [ "-" ] (platformString locked.platform)
          }-${format}.tar";
      inherit system;
      builder = "${hocker}/bin/hocker";
      args =
        [
          "assemble"
          "--quiet"
          "--image"
          (toString selected.index)
          "--platform"
          (platformString locked.platform)
          "--format"
          format
        ]
        ++ (if tag != null then [ "--tag" tag ] else [ ])
        ++ [ "--out" (builtins.placeholder "out") "${lockInStore}" ]
        ++ concatMap (path: [ "--blob" "${path}" ]) blobs;
    };
}
