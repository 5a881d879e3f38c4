#include "recording/jpeg_size.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {

// A JPEG's head: SOI, an APP0 segment, then a baseline start-of-frame of `width` x `height`.
std::string jpegHead(int width, int height) {
  std::string out = "\xFF\xD8";
  out += std::string("\xFF\xE0\x00\x06JFIF", 8);
  out += std::string("\xFF\xC0\x00\x0B\x08", 5);
  out += static_cast<char>(height >> 8);
  out += static_cast<char>(height & 0xFF);
  out += static_cast<char>(width >> 8);
  out += static_cast<char>(width & 0xFF);
  out += std::string("\x01\x01\x11\x00", 4);
  return out;
}

} // namespace

TEST_CASE("jpeg size: read from the start-of-frame segment") {
  int width = 0;
  int height = 0;
  REQUIRE(jpegSize(jpegHead(780, 436), &width, &height));
  CHECK(width == 780);
  CHECK(height == 436);
  REQUIRE(jpegSize(jpegHead(1920, 1080), &width, &height));
  CHECK(width == 1920);
  CHECK(height == 1080);
}

TEST_CASE("jpeg size: not a JPEG, cut short, or no frame header") {
  int width = 0;
  int height = 0;
  CHECK_FALSE(jpegSize("", &width, &height));
  CHECK_FALSE(jpegSize("\x89PNG\r\n\x1a\n", &width, &height));
  std::string head = jpegHead(640, 480);
  CHECK_FALSE(jpegSize(head.substr(0, head.size() - 6), &width, &height));
  CHECK_FALSE(jpegSize(std::string("\xFF\xD8\xFF\xDA\x00\x02", 6), &width, &height));
  CHECK_FALSE(jpegSize(jpegHead(0, 480), &width, &height));
}
