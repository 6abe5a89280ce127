#include "cli/inspect_text.h"

#include <gtest/gtest.h>

#include "cli/image_summary_test_data.h"

namespace hocker::cli {
namespace {

ImageSummary sample_summary(bool from_index) {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, from_index);
  return summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST(RenderInspectText, AlignsEveryValueAfterItsKey) {
  std::vector<std::string> lines = lines_of(render_inspect_text(sample_summary(false)));
  EXPECT_EQ(lines[0], "Name:        example.com/team/app:v1");
  EXPECT_EQ(lines[2], "Media type:  application/vnd.oci.image.manifest.v1+json");
  for (const std::string& line : lines) {
    if (line.empty() || line.find("DIGEST") != std::string::npos || line[0] != ' ') continue;
    EXPECT_EQ(line.find_first_not_of(' '), 13u) << line;
  }
}

TEST(RenderInspectText, ListsEnvAndLabelsOnePerLine) {
  std::string text = render_inspect_text(sample_summary(false));
  EXPECT_NE(text.find("Env:         PATH=/bin\n             MODE=prod\n"), std::string::npos);
  EXPECT_NE(text.find("Labels:      a=1\n             b=two\n"), std::string::npos);
  EXPECT_NE(text.find("Entrypoint:  [\"/app\",\"--serve\"]\n"), std::string::npos);
  EXPECT_NE(text.find("Platform:    linux/arm64/v8\n"), std::string::npos);
}

TEST(RenderInspectText, SaysNoneForAbsentCommandsAndEmptyLists) {
  ImageSummary summary = sample_summary(false);
  summary.cmd.reset();
  summary.labels.clear();
  std::string text = render_inspect_text(summary);
  EXPECT_NE(text.find("Cmd:         (none)\n"), std::string::npos);
  EXPECT_NE(text.find("Labels:      (none)\n"), std::string::npos);
}

TEST(RenderInspectText, EndsWithATableOfLayersWithHumanSizes) {
  std::vector<std::string> lines = lines_of(render_inspect_text(sample_summary(false)));
  ASSERT_GE(lines.size(), 3u);
  std::string header = lines[lines.size() - 3];
  EXPECT_EQ(header.substr(0, 11), "#  DIGEST  ");
  EXPECT_EQ(lines.back().substr(0, 3), "2  ");
  EXPECT_NE(lines.back().find(digest::sha256("two").string()), std::string::npos);
  EXPECT_EQ(lines.back().substr(header.find("SIZE")), "2.0 KB (2000 bytes)");
  EXPECT_EQ(lines[lines.size() - 2].substr(header.find("SIZE")), "100 B (100 bytes)");
  EXPECT_NE(render_inspect_text(sample_summary(false)).find("Total size:  2.1 KB (2100 bytes)"),
            std::string::npos);
}

TEST(RenderInspectText, ShowsTheIndexEntriesAndWhichWasSelected) {
  std::string text = render_inspect_text(sample_summary(true));
  ImageSummary summary = sample_summary(true);
  EXPECT_NE(text.find("Platforms:   linux/amd64     " + summary.platforms[0].digest + "\n"),
            std::string::npos);
  EXPECT_NE(text.find("             linux/arm64/v8  " + summary.manifest_digest + "  (selected)\n"),
            std::string::npos);
  EXPECT_NE(text.find("Manifest:    " + summary.manifest_digest + "\n"), std::string::npos);
}

TEST(RenderInspectText, ASingleImageHasNoPlatformsLine) {
  EXPECT_EQ(render_inspect_text(sample_summary(false)).find("Platforms:"), std::string::npos);
}

TEST(TerminalSafe, ReplacesControlCharactersButKeepsUtf8Text) {
  EXPECT_EQ(terminal_safe("a\x1b[31mb\x07\x7f"), "a?[31mb??");
  EXPECT_EQ(terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(terminal_safe("x\xc2\x9b"
                          "31my"),
            "x?31my");
  EXPECT_EQ(terminal_safe("tab\there\nnew"), "tab?here?new");
}

}  // namespace
}  // namespace hocker::cli
