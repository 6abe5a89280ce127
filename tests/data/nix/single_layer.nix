{ fetchDockerConfig, fetchDockerLayer, fetchdocker }:
fetchdocker rec {
  name = "debian";
  registry = "https://registry-1.docker.io/v2/";
  repository = "library";
  imageName = "debian";
  tag = "jessie";
  imageConfig = fetchDockerConfig {
    inherit tag registry repository imageName;
    sha256 = "041r6j70w6v6dakqkzmwb899h71g2hibch7d14bbv9gy7bxhd5mp";
  };
  imageLayers = let
    layer0 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "ff5eba71a8188ea1e1d463b58f6ad20fb3736ae6e2fe50bc84a5a2c672c95e35";
      sha256 = "0dayr5rcd8m5hjy51zp2wrm77cqgs9m8zdb3skhs33hqm1qvlppz";
    };
  in [ layer0 ];
}
