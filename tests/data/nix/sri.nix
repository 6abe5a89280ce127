{ fetchDockerConfig, fetchDockerLayer, fetchdocker }:
fetchdocker rec {
  name = "api";
  registry = "https://registry.example.com:5000/v2/";
  repository = "team";
  imageName = "api";
  tag = "1.2.3-rc_1";
  imageConfig = fetchDockerConfig {
    inherit tag registry repository imageName;
    sha256 = "sha256-t5YG+zr+pb0WCe1AtiIULxyYElq8/omnamYbDo40ORA=";
  };
  imageLayers = let
    layer0 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "ff5eba71a8188ea1e1d463b58f6ad20fb3736ae6e2fe50bc84a5a2c672c95e35";
      sha256 = "sha256-/166cagYjqHh1GO1j2rSD7Nzaubi/lC8hKWixnLJXjU=";
    };
    layer1 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "922badbaf192e1a4a5af64df422de6d73e96e70d0ab52245bd3d692bcea9cfad";
      sha256 = "sha256-kiutuvGS4aSlr2TfQi3m1z6W5w0KtSJFvT1pK86pz60=";
    };
    layer2 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "6bdb18f83935f1d97220ee8035e6ccd7e764c32102587be4488f940f943ebda6";
      sha256 = "sha256-a9sY+Dk18dlyIO6ANebM1+dkwyECWHvkSI+UD5Q+vaY=";
    };
    layer3 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "da0002e0cd62c639edf0b88ba0216b00084f5abf275328f44d39784450a625f4";
      sha256 = "sha256-2gAC4M1ixjnt8LiLoCFrAAhPWr8nUyj0TTl4RFCmJfQ=";
    };
    layer4 = fetchDockerLayer {
      inherit registry repository imageName;
      layerDigest = "fcbf34398fabf8767b2eaac8abbe8e29a8f8b495b0c0b6da88c674f14f31ff5d";
      sha256 = "sha256-/L80OY+r+HZ7LqrIq76OKaj4tJWwwLbaiMZ08U8x/10=";
    };
  in [ layer0 layer1 layer2 layer3 layer4 ];
}
