{ fetchDockerConfig, fetchDockerLayer, fetchdocker }:
fetchdocker rec {
  name = "api";
  registry = "https://registry.example.com:5000/v2/";
  repository = "team";
  imageName = "api";
  tag = "1.2.3-rc_1";
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
    layer1 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "922badbaf192e1a4a5af64df422de6d73e96e70d0ab52245bd3d692bcea9cfad";
      sha256 = "1bfgm772ns9xpm2j5d8a1pkrcgnpwqnl5pv4myjs9qcjy6xasawj";
    };
    layer2 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "6bdb18f83935f1d97220ee8035e6ccd7e764c32102587be4488f940f943ebda6";
      sha256 = "19mx7sa0z54g93j7nn02471n9ryprkk3b07f41rdkw9m77w1invb";
    };
    layer3 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "da0002e0cd62c639edf0b88ba0216b00084f5abf275328f44d39784450a625f4";
      sha256 = "1x15lr848y1r9ps2hlr7pxd4y200dchs12xqy3nkkik2rph0406s";
    };
    layer4 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "fcbf34398fabf8767b2eaac8abbe8e29a8f8b495b0c0b6da88c674f14f31ff5d";
      sha256 = "0pgz657z2x66i3dbdh5hjnsgia19iszapj5a5rxpdy5biwwk9gzw";
    };
  in [ layer0 layer1 layer2 layer3 layer4 ];
}
