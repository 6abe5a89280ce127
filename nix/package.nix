# hocker itself, as nixpkgs builds packages: `pkgs.callPackage ./nix/package.nix { }`.
# The dependencies are those cmake/Dependencies.cmake requires; the unit tests run in the check
# phase (ctest), so GoogleTest is needed only when doCheck is on.
{
  lib,
  stdenv,
  cmake,
  ninja,
  pkg-config,
  curl,
  openssl,
  zlib,
  isa-l,
  zstd,
  nlohmann_json,
  cli11,
  gtest,
  doCheck ? true,
}:
stdenv.mkDerivation {
  pname = "hocker";
  version = "2.0.0";

  # The sources without what a build leaves beside them (the untracked outputs .gitignore
  # lists): a build/ tree in the store would be large and change the source hash on every build.
  src = lib.cleanSourceWith {
    src = ./..;
    filter =
      path: type:
      let
        relative = lib.removePrefix (toString ./.. + "/") (toString path);
        name = baseNameOf (toString path);
        generated =
          (
            type == "directory"
            && (
              builtins.match "build[^/]*" relative != null
              || name == "out"
              || name == "__pycache__"
              || name == ".pytest_cache"
            )
          )
          || lib.hasSuffix ".pyc" name;
      in
      lib.cleanSourceFilter path type && !generated;
  };

  nativeBuildInputs = [
    cmake
    ninja
    pkg-config
  ];
  buildInputs = [
    curl
    openssl
    zlib
    isa-l
    zstd
    nlohmann_json
    cli11
  ] ++ lib.optional doCheck gtest;

  cmakeFlags = [ "-DHOCKER_BUILD_TESTS=${if doCheck then "ON" else "OFF"}" ];

  inherit doCheck;

  meta = {
    description = "Fetch Docker and OCI images, layers and configs without a daemon; pin them for Nix";
    license = lib.licenses.asl20;
    mainProgram = "hocker";
    platforms = lib.platforms.linux;
  };
}
