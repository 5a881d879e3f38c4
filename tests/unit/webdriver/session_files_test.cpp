// Tests of a session's managed files (Grid's /se/file and /se/files): what is listed, fetched,
// deleted and unpacked, and that nothing outside the session's own directories is reachable.
#include "process/temp_dirs.h"
#include "support/scratch_dir.h"
#include "webdriver/session_files.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <rapidjson/document.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace wdh;

namespace {

// A scratch directory of this test's own.
struct Scratch : wdhtest::ScratchDir {
  Scratch() : wdhtest::ScratchDir("files-test") {}
  std::string file(const std::string& name) const { return path(name); }
};

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

// A zip of (entry name, contents) pairs, base64-encoded as a client sends it.
std::string zipOf(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::ostringstream zip;
  Poco::Zip::Compress compress(zip, true);
  for (const auto& [name, contents] : entries) {
    std::istringstream in(contents);
    compress.addFile(in, Poco::DateTime(), Poco::Path(name, Poco::Path::PATH_UNIX));
  }
  compress.close();
  return base64(zip.str());
}

// Zips a client could send but Poco would not write (made with Python's zipfile): one entry
// named "../../../escape.txt", one "/abs/escape2.txt", one "..".
const char* kZipUp = "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAATAAAALi4vLi4vLi4vZXNjYXBlLnR4dHhQSwECFAMU"
                     "AAAAAAAAACEAgxbcjAEAAAABAAAAEwAAAAAAAAAAAAAAgAEAAAAALi4vLi4vLi4vZXNjYXBlLnR4"
                     "dFBLBQYAAAAAAQABAEEAAAAyAAAAAAA=";
const char* kZipAbsolute = "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAAQAAAAL2Ficy9lc2NhcGUyLnR4dHhQSwECFAM"
                           "UAAAAAAAAACEAgxbcjAEAAAABAAAAEAAAAAAAAAAAAAAAgAEAAAAAL2Ficy9lc2NhcGUyLn"
                           "R4dFBLBQYAAAAAAQABAD4AAAAvAAAAAAA=";
const char* kZipDotDot =
    "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAACAAAALi54UEsBAhQDFAAAAAAAAAAhAIMW3IwBAAAAA"
    "QAAAAIAAAAAAAAAAAAAAIABAAAAAC4uUEsFBgAAAAABAAEAMAAAACEAAAAAAA==";

std::string uploadBody(const std::string& zipBase64) {
  return "{\"file\":\"" + zipBase64 + "\"}";
}

std::unique_ptr<TempDirs> openTempDirs(const std::string& root) {
  std::unique_ptr<TempDirs> dirs;
  REQUIRE(TempDirs::open(root, &dirs, nullptr).isOk());
  return dirs;
}

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

} // namespace

TEST_CASE("session files: plain file names only") {
  CHECK(isPlainFileName("report.pdf"));
  CHECK(isPlainFileName("r\xc3\xa9sum\xc3\xa9 (1).txt"));
  CHECK_FALSE(isPlainFileName(""));
  CHECK_FALSE(isPlainFileName("."));
  CHECK_FALSE(isPlainFileName(".."));
  CHECK_FALSE(isPlainFileName("../etc/passwd"));
  CHECK_FALSE(isPlainFileName("a/b"));
  CHECK_FALSE(isPlainFileName(std::string("a\0b", 3)));
  CHECK_FALSE(isPlainFileName("line\nbreak"));
  CHECK_FALSE(isPlainFileName(std::string(256, 'x')));
}

TEST_CASE("session files: the listing has complete regular files only") {
  Scratch downloads;
  Scratch outside;
  outside.write("secret.txt", "not yours");
  downloads.write("b.txt", "b");
  downloads.write("a.csv", "a");
  downloads.write("big.iso.crdownload", "partial");
  downloads.write("movie.mp4.part", "partial");
  downloads.write(".org.chromium.Chromium.b0qdfn", "chrome's temp file before .crdownload");
  fs::create_directory(downloads.dir + "/sub");
  fs::create_symlink(outside.dir + "/secret.txt", downloads.dir + "/link.txt");
  CHECK(listDownloads(downloads.dir) == std::vector<std::string>{"a.csv", "b.txt"});

  std::string reply;
  REQUIRE(serveDownloads(downloads.dir, "GET", "", &reply).isOk());
  CHECK(reply == R"({"value":{"names":["a.csv","b.txt"]}})");
}

TEST_CASE("session files: a download is fetched as a zip holding just that file") {
  Scratch downloads;
  downloads.write("report.txt", "hello downloads");
  std::string reply;
  REQUIRE(serveDownloads(downloads.dir, "POST", R"({"name":"report.txt"})", &reply).isOk());
  rapidjson::Document doc = parsed(reply);
  CHECK(std::string(doc["value"]["filename"].GetString()) == "report.txt");
  std::istringstream encoded(doc["value"]["contents"].GetString());
  Poco::Base64Decoder decoder(encoded);
  std::string zip((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  std::istringstream zipStream(zip);
  Poco::Zip::ZipArchive archive(zipStream);
  REQUIRE(std::distance(archive.headerBegin(), archive.headerEnd()) == 1);
  CHECK(archive.headerBegin()->second.getFileName() == "report.txt");
  Poco::Zip::ZipInputStream in(zipStream, archive.headerBegin()->second);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(contents == "hello downloads");
}

TEST_CASE("session files: names outside the listing are refused, traversal included") {
  Scratch downloads;
  Scratch outside;
  outside.write("secret.txt", "not yours");
  fs::create_symlink(outside.dir + "/secret.txt", downloads.dir + "/link.txt");
  downloads.write("ok.txt", "ok");
  std::string reply;
  for (std::string name : {"../" + fs::path(outside.dir).filename().string() + "/secret.txt",
                           outside.dir + "/secret.txt", std::string("link.txt"),
                           std::string("missing.txt"), std::string("."), std::string("")}) {
    Status status = serveDownloads(downloads.dir, "POST", "{\"name\":\"" + name + "\"}", &reply);
    CHECK_MESSAGE(status.code() == ErrorCode::InvalidArgument, name);
  }
  for (const char* body : {"{}", R"({"name":7})", "not json", "[]"})
    CHECK(serveDownloads(downloads.dir, "POST", body, &reply).code() == ErrorCode::InvalidArgument);
}

TEST_CASE("session files: DELETE empties the directory without following links") {
  Scratch downloads;
  Scratch outside;
  outside.write("keep.txt", "keep");
  downloads.write("a.txt", "a");
  downloads.write("b.part", "b");
  fs::create_directory(outside.dir + "/tree");
  fs::create_directory_symlink(outside.dir + "/tree", downloads.dir + "/tree-link");
  fs::create_symlink(outside.dir + "/keep.txt", downloads.dir + "/keep-link");
  std::string reply;
  REQUIRE(serveDownloads(downloads.dir, "DELETE", "", &reply).isOk());
  CHECK(reply == R"({"value":null})");
  CHECK(fs::is_empty(downloads.dir));
  CHECK(fs::exists(outside.dir + "/keep.txt"));
  CHECK(fs::exists(outside.dir + "/tree"));
}

TEST_CASE("session files: a session without managed downloads says how to get them") {
  std::string reply;
  Status status = serveDownloads("", "GET", "", &reply);
  CHECK(status.code() == ErrorCode::UnsupportedOperation);
  CHECK(status.message().find("se:downloadsEnabled") != std::string::npos);
}

TEST_CASE("session files: an upload lands in a new directory of the session") {
  Scratch root;
  auto dirs = openTempDirs(root.dir);
  UploadBudget budget;
  std::string reply;
  REQUIRE(uploadFile(*dirs, "s1", uploadBody(zipOf({{"photo.png", "PNGDATA"}})), budget, &reply)
              .isOk());
  rapidjson::Document doc = parsed(reply);
  std::string path = doc["value"].GetString();
  CHECK(fs::path(path).filename() == "photo.png");
  CHECK(path.rfind(dirs->instanceDir() + "/", 0) == 0);
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(contents == "PNGDATA");
  // The session's directories go with the session.
  CHECK(dirs->removeOwnedBy("s1") == 1);
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("session files: an entry's path is never followed out of the upload directory") {
  Scratch root;
  auto dirs = openTempDirs(root.dir);
  UploadBudget budget;
  for (auto [zip, name] :
       {std::pair<const char*, const char*>{kZipUp, "escape.txt"}, {kZipAbsolute, "escape2.txt"}}) {
    std::string reply;
    Status status = uploadFile(*dirs, "s1", uploadBody(zip), budget, &reply);
    REQUIRE_MESSAGE(status.isOk(), status.message());
    std::string path = parsed(reply)["value"].GetString();
    CHECK(fs::path(path).filename() == name);
    CHECK(fs::path(path).parent_path().parent_path() == fs::path(dirs->instanceDir()));
    CHECK_FALSE(fs::exists(root.dir + "/" + name));
    CHECK_FALSE(fs::exists(fs::path(dirs->instanceDir()).parent_path() / name));
    CHECK_FALSE(fs::exists(std::string("/abs/") + name));
  }
}

TEST_CASE("session files: malformed uploads are invalid argument and leave nothing") {
  Scratch root;
  auto dirs = openTempDirs(root.dir);
  UploadBudget budget;
  std::string reply;
  for (std::string body :
       {std::string("not json"), std::string("{}"), std::string(R"({"file":5})"),
        uploadBody("!!!not base64!!!"), uploadBody(base64("not a zip at all")),
        uploadBody(zipOf({})), uploadBody(zipOf({{"a.txt", "a"}, {"b.txt", "b"}})),
        uploadBody(kZipDotDot)}) {
    Status status = uploadFile(*dirs, "s1", body, budget, &reply);
    CHECK_MESSAGE(status.code() == ErrorCode::InvalidArgument, body.substr(0, 60));
    CHECK(status.message().find("/se/file") != std::string::npos);
  }
  CHECK(dirs->removeOwnedBy("s1") == 0);
}

TEST_CASE("session files: a download swapped for a link, FIFO or directory is not served") {
  Scratch downloads;
  Scratch outside;
  outside.write("secret.txt", "not yours");
  downloads.write("ok.txt", "ok");
  std::string contents;
  REQUIRE(readDownload(downloads.dir, "ok.txt", &contents).isOk());
  CHECK(contents == "ok");
  // What the listing saw as a file may be a symlink by the time it is read.
  fs::remove(downloads.dir + "/ok.txt");
  fs::create_symlink(outside.dir + "/secret.txt", downloads.dir + "/ok.txt");
  Status link = readDownload(downloads.dir, "ok.txt", &contents);
  CHECK(link.code() == ErrorCode::InvalidArgument);
  CHECK(link.message().find("symbolic link") != std::string::npos);
  CHECK(contents.find("not yours") == std::string::npos);
  // A FIFO is refused at once (opening it does not wait for a writer), a directory too.
  REQUIRE(::mkfifo((downloads.dir + "/pipe.txt").c_str(), 0600) == 0);
  CHECK(readDownload(downloads.dir, "pipe.txt", &contents).code() == ErrorCode::InvalidArgument);
  fs::create_directory(downloads.dir + "/dir.txt");
  CHECK(readDownload(downloads.dir, "dir.txt", &contents).code() == ErrorCode::InvalidArgument);
  std::string reply;
  for (const char* name : {"ok.txt", "pipe.txt", "dir.txt"})
    CHECK(serveDownloads(downloads.dir, "POST", std::string(R"({"name":")") + name + "\"}", &reply)
              .code() == ErrorCode::InvalidArgument);
}

TEST_CASE("session files: a download over the size cap is refused") {
  Scratch downloads;
  downloads.write("huge.bin", "");
  // Sparse: no disk is used.
  fs::resize_file(downloads.dir + "/huge.bin", kMaxDownloadBytes + 1);
  std::string contents;
  Status status = readDownload(downloads.dir, "huge.bin", &contents);
  CHECK(status.code() == ErrorCode::UnsupportedOperation);
  CHECK(status.message().find("256 MiB") != std::string::npos);
  CHECK(contents.empty());
}

TEST_CASE("session files: a session's uploads stop at their byte budget") {
  Scratch root;
  auto dirs = openTempDirs(root.dir);
  UploadBudget budget(10);
  std::string reply;
  REQUIRE(
      uploadFile(*dirs, "s1", uploadBody(zipOf({{"a.txt", "1234567"}})), budget, &reply).isOk());
  CHECK(budget.used() == 7);
  Status spent = uploadFile(*dirs, "s1", uploadBody(zipOf({{"b.txt", "1234567"}})), budget, &reply);
  CHECK(spent.code() == ErrorCode::InvalidArgument);
  CHECK(spent.message().find("budget") != std::string::npos);
  CHECK(budget.used() == 7);
  // A refused upload leaves no directory; a smaller one still fits.
  CHECK(dirs->removeOwnedBy("s1") == 1);
  REQUIRE(uploadFile(*dirs, "s1", uploadBody(zipOf({{"c.txt", "123"}})), budget, &reply).isOk());
  CHECK(budget.used() == 10);
  CHECK_FALSE(uploadFile(*dirs, "s1", uploadBody(zipOf({{"d.txt", "1"}})), budget, &reply).isOk());
  // The default budget is 1 GiB per session.
  CHECK(UploadBudget().limit() == kSessionUploadBudget);
  CHECK(kSessionUploadBudget == 1ULL << 30);
}
