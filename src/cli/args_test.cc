#include "cli/args.h"

#include <gtest/gtest.h>

namespace hocker::cli {
namespace {

TEST(SubcommandForProgram, MapsEachClassicNameToItsSubcommand) {
  EXPECT_EQ(subcommand_for_program("hocker-manifest"), "manifest");
  EXPECT_EQ(subcommand_for_program("/nix/store/x-hocker/bin/hocker-config"), "config");
  EXPECT_EQ(subcommand_for_program("./hocker-layer"), "layer");
  EXPECT_EQ(subcommand_for_program("hocker-image"), "image");
  EXPECT_EQ(subcommand_for_program("docker2nix"), "nix");
  EXPECT_EQ(subcommand_for_program("/usr/bin/hocker"), "");
  EXPECT_EQ(subcommand_for_program("hocker-imagex"), "");
}

TEST(StripRtsFlags, RemovesTheGhcRuntimeSpanNixpkgsAppends) {
  std::vector<std::string> in = {"--out=/nix/store/x", "library/debian", "", "+RTS", "-N2", "-RTS"};
  std::vector<std::string> out = {"--out=/nix/store/x", "library/debian", ""};
  EXPECT_EQ(strip_rts_flags(in), out);
}

TEST(StripRtsFlags, RemovesSpansInTheMiddleAndUnterminatedOnes) {
  EXPECT_EQ(strip_rts_flags({"a", "+RTS", "-N", "-RTS", "b", "+RTS", "-N4"}),
            (std::vector<std::string>{"a", "b"}));
}

TEST(StripRtsFlags, KeepsEverythingAfterDoubleDash) {
  EXPECT_EQ(strip_rts_flags({"--", "+RTS", "-RTS"}),
            (std::vector<std::string>{"--", "+RTS", "-RTS"}));
}

TEST(ProgramNameFor, NamesErrorsAfterTheClassicCommands) {
  EXPECT_EQ(program_name_for("image"), "hocker-image");
  EXPECT_EQ(program_name_for("nix"), "docker2nix");
  EXPECT_EQ(program_name_for(""), "hocker");
  EXPECT_EQ(program_name_for("tags"), "hocker-tags");
}

}  // namespace
}  // namespace hocker::cli
