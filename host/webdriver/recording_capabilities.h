// The capabilities that ask for a recording, in every dialect clients already speak: Selenium
// Grid's se:recordVideo, Selenoid's and Moon's enableVideo, and the host's wdhost:recording.
// They are the host's: taken out before any plugin or driver sees the capabilities.
#pragma once

#include "core/status.h"
#include "recording/recording_ask.h"

#include <rapidjson/document.h>

namespace wdh {

// Takes what `caps` (one merged set) asks of the recorder out of it: se:recordVideo (true,
// false, "true" or "false"), se:videoName, se:retainOnFailure, se:screenResolution ("WxH", the
// video's size), and enableVideo, videoName,
// videoFrameRate and videoScreenSize in selenoid:options or moon:options (the object goes when
// nothing else is left in it), enableLog and logName too; se:name is read as the file's name
// but left in place. Then wdhost:recording from `hostCaps` ({"video", "logs", "fps", "name",
// "size": "WxH", "retainOnFailure"}), which wins. InvalidArgument naming the capability and what it
// takes for a value of the wrong type or range.
Status takeRecordingAsk(rapidjson::Document* caps, const rapidjson::Value& hostCaps,
                        RecordingAsk* out);

} // namespace wdh
