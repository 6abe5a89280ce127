# A stand-in for the few nixpkgs functions and packages that nix/package.nix and flake.nix use,
# so that both can be evaluated here, where nixpkgs is not available. Packages are marker
# attribute sets ({ pname = "cmake"; }); mkDerivation returns its arguments with a made-up
# outPath; callPackage and the fetchdocker fetchers are overridable as nixpkgs' are. Used as
# the flake's `nixpkgs` input (it has `lib` and `legacyPackages`); `base` is the package set
# before any overlay, to apply one: `fix (self: base // overlay self base)`.
let
  marker = pname: {
    inherit pname;
    outPath = "/nix/store/00000000000000000000000000000000-${pname}";
  };

  lib = {
    cleanSource = path: path;
    # As nixpkgs' (without copying anything): the filter is kept for a test to call.
    cleanSourceWith =
      {
        src,
        filter,
        name ? "source",
      }:
      {
        origSrc = src;
        inherit filter name;
        outPath = toString src;
      };
    cleanSourceFilter = path: type: !(type == "directory" && baseNameOf (toString path) == ".git");
    hasSuffix =
      suffix: text:
      let
        start = builtins.stringLength text - builtins.stringLength suffix;
      in
      start >= 0 && builtins.substring start (builtins.stringLength suffix) text == suffix;
    removePrefix =
      prefix: text:
      let
        length = builtins.stringLength prefix;
      in
      if builtins.substring 0 length text == prefix then
        builtins.substring length (builtins.stringLength text - length) text
      else
        text;
    optional = condition: item: if condition then [ item ] else [ ];
    licenses.asl20 = {
      spdxId = "Apache-2.0";
    };
    platforms.linux = [
      "x86_64-linux"
      "aarch64-linux"
    ];
    genAttrs =
      names: f:
      builtins.listToAttrs (
        map (name: {
          inherit name;
          value = f name;
        }) names
      );
    fix =
      f:
      let
        x = f x;
      in
      x;
  };

  # nixpkgs' makeOverridable, for results that are attribute sets or functions.
  makeOverridable =
    f: arguments:
    let
      result = f arguments;
      override = changes: makeOverridable f (arguments // changes);
    in
    if builtins.isFunction result then
      {
        __functor = _self: result;
        inherit override;
      }
    else
      result // { inherit override; };

  # nixpkgs' fetchDockerConfig / fetchDockerLayer take hocker from haskellPackages.hocker.
  fetcher =
    program:
    makeOverridable (
      pkgargs: args: {
        inherit program args;
        hocker = pkgargs.haskellPackages.hocker;
      }
    ) { haskellPackages.hocker = marker "haskell-hocker"; };

  base = {
    inherit lib;
    stdenv.mkDerivation =
      arguments:
      arguments
      // {
        type = "derivation";
        outPath = "/nix/store/00000000000000000000000000000000-${arguments.pname}-${arguments.version}";
      };
    callPackage =
      fn: overrides:
      let
        f = if builtins.isFunction fn then fn else import fn;
        pkgs = lib.fix (self: base);
      in
      makeOverridable f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // overrides);
    haskellPackages.hocker = marker "haskell-hocker";
    fetchDockerConfig = fetcher "hocker-config";
    fetchDockerLayer = fetcher "hocker-layer";
  }
  // lib.genAttrs [
    "cmake"
    "ninja"
    "pkg-config"
    "curl"
    "openssl"
    "zlib"
    "isa-l"
    "zstd"
    "nlohmann_json"
    "cli11"
    "gtest"
  ] marker;
in
{
  inherit lib base;
  legacyPackages = lib.genAttrs lib.platforms.linux (_system: base);
}
