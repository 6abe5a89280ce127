# Identity stand-ins for nixpkgs' fetchdocker, fetchDockerConfig and fetchDockerLayer: applying
# a docker2nix expression (a path) to them yields the attribute sets it passes, e.g.
#   nix-instantiate --eval --strict --json -E 'import ./standins.nix ./debian.nix'
expression:
import expression {
  fetchdocker = arguments: arguments;
  fetchDockerConfig = arguments: arguments;
  fetchDockerLayer = arguments: arguments;
}
