// The inputs behind the goldens in tests/data/nix/, shared by the nix module's tests. The
// goldens were written with nix-hash, independently of this module.
#pragma once

#include <string>
#include <vector>

#include "hocker/nix/fetchdocker.h"

namespace hocker::nix::testing {

struct GoldenCase {
  std::string file;        ///< under tests/data/nix/
  FetchdockerInput input;  ///< what renders it
};

/// sha256("config").
inline digest::Digest config_digest() {
  return digest::Digest::from_sha256_hex(
      "b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910");
}

/// sha256("layer-0") … sha256("layer-4").
inline std::vector<digest::Digest> layer_digests() {
  std::vector<digest::Digest> layers;
  for (const char* hex : {"ff5eba71a8188ea1e1d463b58f6ad20fb3736ae6e2fe50bc84a5a2c672c95e35",
                          "922badbaf192e1a4a5af64df422de6d73e96e70d0ab52245bd3d692bcea9cfad",
                          "6bdb18f83935f1d97220ee8035e6ccd7e764c32102587be4488f940f943ebda6",
                          "da0002e0cd62c639edf0b88ba0216b00084f5abf275328f44d39784450a625f4",
                          "fcbf34398fabf8767b2eaac8abbe8e29a8f8b495b0c0b6da88c674f14f31ff5d"}) {
    layers.push_back(digest::Digest::from_sha256_hex(hex));
  }
  return layers;
}

/// Single layer, many layers, a repeated layer, --altName, SRI hashes.
inline std::vector<GoldenCase> golden_cases() {
  const std::string hub = "https://registry-1.docker.io/v2/";
  const std::string example = "https://registry.example.com:5000/v2/";
  std::vector<digest::Digest> layers = layer_digests();
  FetchdockerInput debian{"debian",        hub,        "library", "debian", "jessie",
                          config_digest(), {layers[0]}};
  FetchdockerInput api{"api", example, "team", "api", "1.2.3-rc_1", config_digest(), layers};
  FetchdockerInput repeated = debian;
  repeated.layers = {layers[0], layers[1], layers[0]};
  FetchdockerInput alt_name = debian;
  alt_name.name = "my-debian";
  FetchdockerInput sri = api;
  sri.hash_format = HashFormat::kSri;
  return {{"single_layer.nix", debian},
          {"many_layers.nix", api},
          {"repeated_layer.nix", repeated},
          {"alt_name.nix", alt_name},
          {"sri.nix", sri}};
}

}  // namespace hocker::nix::testing
