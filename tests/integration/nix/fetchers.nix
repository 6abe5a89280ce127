# Stand-ins for nixpkgs' fetchdocker, fetchDockerConfig and fetchDockerLayer
# (pkgs/build-support/fetchdocker/) that need no nixpkgs: the same arguments, asserts, names and
# fixed-output hashes, and builders that run our hocker-config / hocker-layer with the command
# line of nixpkgs' generic-fetcher.nix. See README.md for how to call it.
{
  # Absolute path of the directory holding hocker-config and hocker-layer (a string, so that it
  # is not copied into the store; builders run unsandboxed and see the host's file system).
  hockerBin,
  # Appended to every derivation name: a fixed-output path depends only on its name and hash, so
  # a fresh suffix per run forces Nix to fetch again instead of reusing an earlier output.
  nameSuffix ? "",
  # Passed to the builders as SSL_CERT_FILE, as nixpkgs passes cacert's bundle.
  sslCertFile ? null,
  system ? builtins.currentSystem,
}:
let
  hasSlash = s: builtins.match ".*/.*" s != null;
  stripScheme = builtins.replaceStrings [ "https://" "http://" ] [ "" "" ];
  storeDirPrefix = "${builtins.storeDir}/";
  stripNixStore =
    s:
    let
      text = toString s;
      n = builtins.stringLength storeDirPrefix;
    in
    if builtins.substring 0 n text == storeDirPrefix then
      builtins.substring n (builtins.stringLength text) text
    else
      text;

  # generic-fetcher.nix: same arguments (a closed set: no `hash`), same asserts, same command.
  genericFetcher =
    {
      fetcher,
      name,
      registry ? "https://registry-1.docker.io/v2/",
      repository ? "library",
      imageName,
      sha256,
      tag ? "",
      layerDigest ? "",
    }:
    assert builtins.elem fetcher [
      "hocker-config"
      "hocker-layer"
    ];
    assert layerDigest != "" -> builtins.substring 0 7 layerDigest != "sha256:";
    let
      layerDigestFlag = if layerDigest != "" then "--layer ${layerDigest}" else "";
    in
    derivation (
      {
        name = name + nameSuffix;
        inherit system registry hockerBin;
        builder = "/bin/sh";
        args = [
          "-c"
          ''
            echo "${fetcher} exporting to $out"
            "$hockerBin/${fetcher}" --out="$out" \
              ''${registry:+--registry "$registry"} \
              ''${DOCKER_USER:+--username "$DOCKER_USER"} \
              ''${DOCKER_PASS:+--password "$DOCKER_PASS"} \
              ''${DOCKER_TOKEN:+--token "$DOCKER_TOKEN"} \
              ${layerDigestFlag} \
              "${repository}/${imageName}" \
              "${tag}" \
              +RTS -N2 -RTS
          ''
        ];
        outputHashAlgo = "sha256";
        outputHashMode = "flat";
        outputHash = sha256;
        preferLocalBuild = true;
        impureEnvVars = [
          "DOCKER_USER"
          "DOCKER_PASS"
          "DOCKER_TOKEN"
        ];
      }
      // (if sslCertFile == null then { } else { SSL_CERT_FILE = sslCertFile; })
    );
in
{
  # fetchDockerConfig.nix
  fetchDockerConfig =
    args@{
      repository ? "library",
      imageName,
      tag,
      ...
    }:
    genericFetcher (
      {
        fetcher = "hocker-config";
        name = "${repository}_${imageName}_${tag}-config.json";
        tag = "unused";
      }
      // args
    );

  # fetchDockerLayer.nix
  fetchDockerLayer =
    args@{ layerDigest, ... }:
    genericFetcher (
      {
        fetcher = "hocker-layer";
        name = "docker-layer-${layerDigest}.tar.gz";
        tag = "unused";
      }
      // args
    );

  # fetchdocker's arguments and asserts. Instead of nixpkgs' directory with compositeImage.sh
  # (which needs stdenv, coreutils and GNU tar), the output is the manifest.json nixpkgs writes,
  # produced with shell builtins only; building it builds the config and every layer.
  fetchdocker =
    {
      name,
      registry ? "https://registry-1.docker.io/v2/",
      repository ? "library",
      imageName,
      tag,
      imageLayers,
      imageConfig,
      image ? "${stripScheme registry}/${repository}/${imageName}:${tag}",
    }:
    assert !hasSlash repository;
    assert !hasSlash imageName;
    let
      # Abuse paths to collapse possible double slashes, as nixpkgs does.
      repoTag0 = toString (/. + "/${stripScheme registry}/${repository}/${imageName}");
      repoTag1 = builtins.substring 1 (builtins.stringLength repoTag0) repoTag0;
      manifest = builtins.toJSON [
        {
          Config = stripNixStore imageConfig;
          Layers = map stripNixStore imageLayers;
          RepoTags = [ "${repoTag1}:${tag}" ];
        }
      ];
    in
    derivation {
      name = name + nameSuffix;
      inherit system manifest;
      builder = "/bin/sh";
      args = [
        "-c"
        ''printf '%s\n' "$manifest" > "$out"''
      ];
      preferLocalBuild = true;
    }
    // {
      inherit
        image
        imageConfig
        imageLayers
        repository
        imageName
        tag
        ;
    };
}
