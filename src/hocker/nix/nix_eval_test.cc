// Checks the rendered expressions with Nix itself: the parser, the evaluator applied to
// identity stand-ins, and a real build through tests/integration/nix/fetchers.nix with a fake
// hocker. Each test is skipped when the Nix tool it needs is not installed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "hocker/nix/fetchdocker.h"
#include "hocker/nix/fetchdocker_test_cases.h"
#include "hocker/nix/nix_test_support.h"

namespace hocker::nix {
namespace {

using testing::shell_quote;

nlohmann::json evaluate_with_standins(const std::filesystem::path& expression) {
  std::string nix = "import " + (testing::integration_dir() / "standins.nix").string() + " " +
                    expression.string();
  testing::CommandResult result = testing::run_command(
      "nix-instantiate --eval --strict --json -E " + shell_quote(nix) + " 2>/dev/null");
  if (result.status != 0) {
    ADD_FAILURE() << "nix-instantiate failed on " << expression;
    return nullptr;
  }
  return nlohmann::json::parse(result.output);
}

void expect_fetcher_arguments(const nlohmann::json& arguments, const FetchdockerInput& input) {
  EXPECT_EQ(arguments["registry"], input.registry);
  EXPECT_EQ(arguments["repository"], input.repository);
  EXPECT_EQ(arguments["imageName"], input.image_name);
}

TEST(NixEval, GoldensParse) {
  if (!testing::has_program("nix-instantiate")) GTEST_SKIP() << "nix-instantiate is not on PATH";
  for (const testing::GoldenCase& golden : testing::golden_cases()) {
    SCOPED_TRACE(golden.file);
    std::string path = (testing::golden_dir() / golden.file).string();
    EXPECT_EQ(
        testing::run_command("nix-instantiate --parse " + shell_quote(path) + " >/dev/null 2>&1")
            .status,
        0);
  }
}

TEST(NixEval, StandinsReceiveTheImageInManifestOrder) {
  if (!testing::has_program("nix-instantiate")) GTEST_SKIP() << "nix-instantiate is not on PATH";
  for (const testing::GoldenCase& golden : testing::golden_cases()) {
    SCOPED_TRACE(golden.file);
    const FetchdockerInput& input = golden.input;
    std::filesystem::path file = testing::write_temp_file(render_fetchdocker(input), ".nix");
    nlohmann::json image = evaluate_with_standins(file);
    std::filesystem::remove(file);
    ASSERT_TRUE(image.is_object());
    EXPECT_EQ(image["name"], input.name);
    EXPECT_EQ(image["tag"], input.tag);
    expect_fetcher_arguments(image, input);
    expect_fetcher_arguments(image["imageConfig"], input);
    EXPECT_EQ(image["imageConfig"]["tag"], input.tag);
    EXPECT_EQ(image["imageConfig"]["sha256"], format_hash(input.config, input.hash_format));
    ASSERT_EQ(image["imageLayers"].size(), input.layers.size());
    for (std::size_t i = 0; i < input.layers.size(); ++i) {
      const nlohmann::json& layer = image["imageLayers"][i];
      expect_fetcher_arguments(layer, input);
      EXPECT_EQ(layer["layerDigest"], input.layers[i].hex());
      EXPECT_EQ(layer["sha256"], format_hash(input.layers[i], input.hash_format));
      EXPECT_FALSE(layer.contains("tag"));
    }
  }
}

TEST(NixEval, FetchersBuildTheGoldensWithAFakeHocker) {
  if (!testing::has_program("nix-build")) GTEST_SKIP() << "nix-build is not on PATH";
  std::string suffix = "-hocker-test-" + std::to_string(std::random_device{}());
  for (const testing::GoldenCase& golden : testing::golden_cases()) {
    SCOPED_TRACE(golden.file);
    std::string nix = "import " + (testing::golden_dir() / golden.file).string() + " (import " +
                      (testing::integration_dir() / "fetchers.nix").string() + " { hockerBin = \"" +
                      (testing::integration_dir() / "fake-bin").string() + "\"; nameSuffix = \"" +
                      suffix + "\"; })";
    testing::CommandResult result =
        testing::run_command(std::string("nix-build ") + testing::kNixBuildOptions +
                             " --no-out-link -E " + shell_quote(nix) + " 2>/dev/null");
    ASSERT_EQ(result.status, 0) << "nix-build failed; run it by hand to see the builder log";
    std::string out = result.output.substr(0, result.output.find('\n'));
    nlohmann::json manifest = nlohmann::json::parse(testing::read_file(out));
    ASSERT_EQ(manifest[0]["Layers"].size(), golden.input.layers.size());
    for (std::size_t i = 0; i < golden.input.layers.size(); ++i) {
      std::string layer = manifest[0]["Layers"][i];
      EXPECT_NE(layer.find(golden.input.layers[i].hex()), std::string::npos) << layer;
    }
  }
}

}  // namespace
}  // namespace hocker::nix
