{
  description = "hocker: Docker and OCI images without a daemon, pinned for Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      hockerLib = import ./nix { };
    in
    {
      packages = forAllSystems (pkgs: rec {
        hocker = pkgs.callPackage ./nix/package.nix { };
        default = hocker;
      });

      # Adds `hocker`, and hands it to nixpkgs' fetchdocker fetchers, which take the classic
      # hocker-config / hocker-layer programs from `haskellPackages.hocker`.
      overlays.default =
        final: prev:
        let
          withOurHocker = {
            haskellPackages = prev.haskellPackages // {
              hocker = final.hocker;
            };
          };
        in
        {
          hocker = final.callPackage ./nix/package.nix { };
          fetchDockerConfig = prev.fetchDockerConfig.override withOurHocker;
          fetchDockerLayer = prev.fetchDockerLayer.override withOurHocker;
        };

      # fetchImage { system; lockFile; … }: nix/default.nix's, with this flake's hocker for
      # `system` unless one is given (a flake evaluates purely: it cannot ask for the system).
      lib = {
        inherit (hockerLib) fetchBlob impureEnvVars;
        fetchImage =
          args@{ system, ... }:
          hockerLib.fetchImage ({ hocker = self.packages.${system}.default; } // args);
      };
    };
}
