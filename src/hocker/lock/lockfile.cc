// The lockfile's JSON form: a strict reader (every field checked, unknown keys refused, so a
// typo never silently unpins anything) and a writer whose bytes depend on the model alone.
#include "hocker/lock/lockfile.h"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "hocker/base/atomic_file.h"
#include "hocker/base/document_check.h"
#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/digest/digest.h"
#include "hocker/image/media_types.h"
#include "hocker/ref/reference.h"

namespace hocker::lock {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw Error(ErrorKind::kFormat,
                "invalid lockfile " + printable(what_, 200) + ": " + where + ": " + problem);
  }

  // Refuses keys outside `known` and missing ones among `known` but not in `optional`.
  void check_keys(const Json& object, const std::string& where,
                  std::initializer_list<std::string_view> known,
                  std::initializer_list<std::string_view> optional = {}) const {
    if (!object.is_object()) fail(where, "not a JSON object");
    for (const auto& item : object.items()) {
      if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
        fail(where, "unknown key " + quote_untrusted(item.key()));
      }
    }
    for (std::string_view key : known) {
      bool may_miss = std::find(optional.begin(), optional.end(), key) != optional.end();
      if (!may_miss && !object.contains(key)) fail(where, std::string(key) + " is missing");
    }
  }

  std::string text(const Json& object, const char* key, const std::string& where) const {
    const Json& value = object.at(key);
    if (!value.is_string()) fail(where + "." + key, "not a string");
    std::string result = value.get<std::string>();
    if (result.empty()) fail(where + "." + key, "empty");
    return result;
  }

  std::string digest(const Json& object, const char* key, const std::string& where) const {
    std::string result = text(object, key, where);
    if (!digest::Digest::try_parse(result)) {
      fail(where + "." + key, quote_untrusted(result) + " is not a valid digest");
    }
    return result;
  }

  std::uint64_t size(const Json& object, const std::string& where) const {
    const Json& value = object.at("size");
    if (!value.is_number_unsigned()) {
      fail(where + ".size", quote_untrusted(value.dump()) + " is not a non-negative integer");
    }
    auto result = value.get<std::uint64_t>();
    if (result > static_cast<std::uint64_t>(image::kMaxBlobSize)) {
      fail(where + ".size", std::to_string(result) + " is larger than 1 TiB");
    }
    return result;
  }

  const Json& array(const Json& object, const char* key, const std::string& where) const {
    const Json& value = object.at(key);
    if (!value.is_array()) fail(where + "." + key, "not an array");
    return value;
  }

 private:
  std::string what_;
};

std::string item(const std::string& where, std::size_t index) {
  return where + "[" + std::to_string(index) + "]";
}

LockedBlob parse_blob(const Reader& reader, const Json& object, const std::string& where) {
  reader.check_keys(object, where, {"digest", "mediaType", "size"});
  return {reader.digest(object, "digest", where), reader.text(object, "mediaType", where),
          reader.size(object, where)};
}

LockedLayer parse_layer(const Reader& reader, const Json& object, const std::string& where) {
  reader.check_keys(object, where, {"digest", "mediaType", "size", "diffId"});
  LockedLayer layer;
  layer.digest = reader.digest(object, "digest", where);
  layer.media_type = reader.text(object, "mediaType", where);
  layer.size = reader.size(object, where);
  layer.diff_id = reader.digest(object, "diffId", where);
  return layer;
}

image::Platform parse_platform(const Reader& reader, const Json& object, const std::string& where) {
  reader.check_keys(object, where, {"os", "architecture", "variant"}, {"variant"});
  image::Platform platform{reader.text(object, "os", where),
                           reader.text(object, "architecture", where), ""};
  if (object.contains("variant")) platform.variant = reader.text(object, "variant", where);
  return platform;
}

LockedPlatform parse_locked_platform(const Reader& reader, const Json& object,
                                     const std::string& where) {
  reader.check_keys(object, where, {"platform", "manifest", "config", "layers"});
  LockedPlatform result{parse_platform(reader, object.at("platform"), where + ".platform"),
                        parse_blob(reader, object.at("manifest"), where + ".manifest"),
                        parse_blob(reader, object.at("config"), where + ".config"),
                        {}};
  const Json& layers = reader.array(object, "layers", where);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    result.layers.push_back(parse_layer(reader, layers[i], item(where + ".layers", i)));
  }
  return result;
}

LockedImage parse_image(const Reader& reader, const Json& object, const std::string& where) {
  reader.check_keys(
      object, where,
      {"reference", "registry", "repository", "tag", "digest", "mediaType", "platforms"});
  LockedImage image;
  image.reference = reader.text(object, "reference", where);
  try {
    ref::Reference::parse(image.reference);
  } catch (const Error& error) {
    reader.fail(where + ".reference", error.what());
  }
  image.registry = reader.text(object, "registry", where);
  image.repository = reader.text(object, "repository", where);
  if (!object.at("tag").is_null()) image.tag = reader.text(object, "tag", where);
  image.digest = reader.digest(object, "digest", where);
  image.media_type = reader.text(object, "mediaType", where);
  const Json& platforms = reader.array(object, "platforms", where);
  if (platforms.empty()) reader.fail(where + ".platforms", "empty");
  for (std::size_t i = 0; i < platforms.size(); ++i) {
    image.platforms.push_back(
        parse_locked_platform(reader, platforms[i], item(where + ".platforms", i)));
  }
  return image;
}

void check_version(const Reader& reader, const Json& document) {
  if (!document.is_object()) reader.fail("top level", "not a JSON object");
  auto version = document.find("lockVersion");
  if (version == document.end()) reader.fail("top level", "lockVersion is missing");
  if (!version->is_number_integer() || version->get<std::int64_t>() != kLockVersion) {
    reader.fail("lockVersion", "unsupported lockVersion " + printable(version->dump(), 40) +
                                   "; this hocker reads version " + std::to_string(kLockVersion));
  }
}

OrderedJson blob_json(const LockedBlob& blob) {
  return {{"digest", blob.digest}, {"mediaType", blob.media_type}, {"size", blob.size}};
}

OrderedJson platform_json(const LockedPlatform& locked) {
  OrderedJson platform = {{"os", locked.platform.os},
                          {"architecture", locked.platform.architecture}};
  if (!locked.platform.variant.empty()) platform["variant"] = locked.platform.variant;
  OrderedJson layers = OrderedJson::array();
  for (const LockedLayer& layer : locked.layers) {
    OrderedJson entry = blob_json(layer);
    entry["diffId"] = layer.diff_id;
    layers.push_back(std::move(entry));
  }
  return {{"platform", std::move(platform)},
          {"manifest", blob_json(locked.manifest)},
          {"config", blob_json(locked.config)},
          {"layers", std::move(layers)}};
}

OrderedJson image_json(const LockedImage& image) {
  OrderedJson platforms = OrderedJson::array();
  for (const LockedPlatform& platform : image.platforms)
    platforms.push_back(platform_json(platform));
  return {{"reference", image.reference},
          {"registry", image.registry},
          {"repository", image.repository},
          {"tag", image.tag ? OrderedJson(*image.tag) : OrderedJson(nullptr)},
          {"digest", image.digest},
          {"mediaType", image.media_type},
          {"platforms", std::move(platforms)}};
}

}  // namespace

Lockfile parse_lockfile(std::string_view json, std::string_view what) {
  Reader reader(what);
  std::string problem = document_problem(json, kMaxLockfileSize, kMaxJsonDepth);
  if (!problem.empty()) reader.fail("document", problem);
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) reader.fail("document", "not valid JSON");
  try {
    check_version(reader, document);
    reader.check_keys(document, "top level", {"lockVersion", "images"});
    Lockfile lockfile;
    const Json& images = reader.array(document, "images", "top level");
    for (std::size_t i = 0; i < images.size(); ++i) {
      lockfile.images.push_back(parse_image(reader, images[i], item("images", i)));
    }
    return lockfile;
  } catch (const Json::exception&) {
    reader.fail("document", "unexpected JSON structure");
  }
}

std::string serialize_lockfile(const Lockfile& lockfile) {
  OrderedJson images = OrderedJson::array();
  for (const LockedImage& image : lockfile.images) images.push_back(image_json(image));
  OrderedJson document = {{"lockVersion", kLockVersion}, {"images", std::move(images)}};
  // Strings come from validated references, digests and registry documents; a byte that is
  // not UTF-8 is written as U+FFFD rather than failing the whole file.
  return document.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

Lockfile read_lockfile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(ErrorKind::kLocalIo, "cannot read lockfile " + path.string());
  std::string data;
  std::string chunk(64 * 1024, '\0');
  // One byte past the limit is enough for parse_lockfile() to refuse the file.
  while (data.size() <= kMaxLockfileSize && file) {
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    data.append(chunk, 0, static_cast<std::size_t>(file.gcount()));
  }
  if (file.bad()) throw Error(ErrorKind::kLocalIo, "cannot read lockfile " + path.string());
  return parse_lockfile(data, path.string());
}

void write_lockfile(const std::filesystem::path& path, const Lockfile& lockfile) {
  std::string text = serialize_lockfile(lockfile);
  AtomicFile file(path.string());
  file.write(as_bytes(text.data(), text.size()));
  file.commit();
}

}  // namespace hocker::lock
