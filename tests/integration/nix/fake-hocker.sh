#!/bin/sh
# A fake hocker-config / hocker-layer (dispatch on the program name) for checking fetchers.nix
# without a registry: it refuses any command line but the one nixpkgs' generic-fetcher builder
# passes, then writes the blob the fixture names (sha256 of "config" or "layer-N"). Shell
# builtins only: builders see an empty PATH.
program=${0##*/}
fail() { echo "fake $program: $*" >&2; exit 1; }
case "$1" in --out=/*) out=${1#--out=} ;; *) fail "expected --out=PATH first, got '$1'" ;; esac
[ "$2" = --registry ] && [ -n "$3" ] || fail "expected --registry URI, got '$2' '$3'"
shift 3
case "$program" in
  hocker-config) content=config ;;
  hocker-layer)
    [ "$1" = --layer ] || fail "expected --layer HEX, got '$1'"
    case "$2" in
      ff5eba71a8188ea1e1d463b58f6ad20fb3736ae6e2fe50bc84a5a2c672c95e35) content=layer-0 ;;
      922badbaf192e1a4a5af64df422de6d73e96e70d0ab52245bd3d692bcea9cfad) content=layer-1 ;;
      6bdb18f83935f1d97220ee8035e6ccd7e764c32102587be4488f940f943ebda6) content=layer-2 ;;
      da0002e0cd62c639edf0b88ba0216b00084f5abf275328f44d39784450a625f4) content=layer-3 ;;
      fcbf34398fabf8767b2eaac8abbe8e29a8f8b495b0c0b6da88c674f14f31ff5d) content=layer-4 ;;
      *) fail "unknown layer '$2'" ;;
    esac
    shift 2 ;;
  *) fail "unknown program name" ;;
esac
case "$1" in */*) ;; *) fail "expected REPOSITORY/IMAGE-NAME, got '$1'" ;; esac
[ $# -eq 5 ] && [ "$3" = +RTS ] && [ "$4" = -N2 ] && [ "$5" = -RTS ] ||
  fail "expected NAME TAG +RTS -N2 -RTS, got '$*'"
echo "fake $program: $1 tag '$2' -> $out" >&2
printf '%s' "$content" > "$out"
