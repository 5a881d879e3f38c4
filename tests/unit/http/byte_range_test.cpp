#include "http/byte_range.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("byte range: no header, another unit or bad syntax serve the whole file") {
  CHECK(parseByteRange("", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("items=0-5", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=abc-5", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=5", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=9-3", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=-", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=99999999999999999999-", 100).kind == ByteRange::Whole);
}

TEST_CASE("byte range: first-last, open-ended and suffix ranges") {
  ByteRange r = parseByteRange("bytes=0-9", 100);
  CHECK(r.kind == ByteRange::Partial);
  CHECK(r.first == 0);
  CHECK(r.last == 9);
  r = parseByteRange("Bytes= 10-", 100);
  CHECK(r.kind == ByteRange::Partial);
  CHECK(r.first == 10);
  CHECK(r.last == 99);
  r = parseByteRange("bytes=-30", 100);
  CHECK(r.kind == ByteRange::Partial);
  CHECK(r.first == 70);
  CHECK(r.last == 99);
  // Past the end is cut to it; a suffix longer than the file is all of it.
  r = parseByteRange("bytes=90-500", 100);
  CHECK(r.kind == ByteRange::Partial);
  CHECK(r.first == 90);
  CHECK(r.last == 99);
  r = parseByteRange("bytes=-500", 100);
  CHECK(r.kind == ByteRange::Partial);
  CHECK(r.first == 0);
  CHECK(r.last == 99);
}

TEST_CASE("byte range: several ranges are answered with the whole file") {
  CHECK(parseByteRange("bytes=0-1,5-9", 100).kind == ByteRange::Whole);
  CHECK(parseByteRange("bytes=0-1, -5", 100).kind == ByteRange::Whole);
}

TEST_CASE("byte range: out of range is unsatisfiable (416)") {
  CHECK(parseByteRange("bytes=100-", 100).kind == ByteRange::Unsatisfiable);
  CHECK(parseByteRange("bytes=150-200", 100).kind == ByteRange::Unsatisfiable);
  CHECK(parseByteRange("bytes=-0", 100).kind == ByteRange::Unsatisfiable);
  CHECK(parseByteRange("bytes=0-", 0).kind == ByteRange::Unsatisfiable);
  CHECK(parseByteRange("bytes=-5", 0).kind == ByteRange::Unsatisfiable);
}
