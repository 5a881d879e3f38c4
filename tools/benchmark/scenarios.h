// The scenarios (issue 7's five, and BiDi); each starts what it needs and stops it before
// returning.
#pragma once

#include "report.h"
#include "setup.h"

#include <chrono>

namespace bench {

// How many requests, sessions and seconds a run uses (full or --smoke).
struct Counts {
  int warmup = 200;                        // untimed rounds before each interleaved pair
  int relayRounds = 2000;                  // GET /url pairs, chromedriver vs wdhost
  int statusRounds = 2000;                 // GET /status pairs on one connection
  int newSessions = 10;                    // New Session pairs
  int stubRounds = 5000;                   // GET /url pairs, stub direct vs through wdhost
  std::chrono::milliseconds segment{1000}; // one timed load segment
  int segments = 3;                        // segments per side (3 x 1 s = 3 s each)
  int scaleSessions = 1000;                // sessions at scale
  int scaleRounds = 3000;                  // 1-session vs 1000-session pairs
  int throughputSessions = 64;             // sessions the load connections spread over
  int bidiRounds = 2000;                   // script.evaluate pairs, chromedriver vs wdhost
  int churnRounds = 10;                    // create + delete cycles per side
  int churnWorkMs = 2000;                  // a test's own work between its cycles
  int floodWaiters = 1000;                 // New Sessions waiting in the queue at once
  int floodRounds = 2000;                  // /status and command pairs, calm and flooded
  int warmLaunchRounds = 12;               // launches measured per priority
  int warmLaunchQuiet = 300;               // commands with nothing launching, per round
  int warmLaunchCap = 5000;                // commands at most while one browser launches
};

// The counts for a full run, or the tiny ones of --smoke.
Counts countsFor(bool smoke);

// 1. GET /session/{id}/url straight to chromedriver vs through wdhost.
void runRelay(const Options& options, const Counts& counts, Report& report);
// 2. GET /status of wdhost vs chromedriver, 1 and 4 connections.
void runStatus(const Options& options, const Counts& counts, Report& report);
// 3. New Session through wdhost vs straight to a running chromedriver.
void runNewSession(const Options& options, const Counts& counts, Report& report);
// 4. The host's added latency and relay throughput against the stub upstream.
void runStub(const Options& options, const Counts& counts, Report& report);
// 5. 1000 stub sessions: latency, memory, errors.
void runScale(const Options& options, const Counts& counts, Report& report);
// 6. A WebDriver BiDi round trip on chromedriver's websocket vs relayed through wdhost.
void runBidi(const Options& options, const Counts& counts, Report& report);
// 7. New Session + Delete Session as a suite runs them: chrome against chromedriver (and Grid),
// firefox and safari against their own cold start.
void runChurn(const Options& options, const Counts& counts, Report& report);
// 8. A cheap command straight to Firefox's Marionette vs through wdhost's firefox plugin.
void runBridge(const Options& options, const Counts& counts, Report& report);
// 9. 1000 New Sessions queued on a full host while one session runs commands: /status and
// command latency, and RSS.
void runFlood(const Options& options, const Counts& counts, Report& report);
// 10. A running chrome session's commands while a browser starts ahead vs while none does, at
// --warm-priority normal and idle.
void runWarmLaunch(const Options& options, const Counts& counts, Report& report);
// 11. What recording a chrome session costs: the process tree's CPU on a test's page and on one
// repainting every frame, unrecorded vs recorded (15 fps, 1280x720), and a recorded session's
// commands.
void runRecording(const Options& options, const Counts& counts, Report& report);
// 12. What watching a chrome session live costs: a watched session's commands against an
// unwatched one's, and the pictures taken from the browser with one viewer and with ten.
void runLive(const Options& options, const Counts& counts, Report& report);
// 13. What tracing a chrome session costs its commands: a traced session's command that does
// not change the page and one that does, against an untraced session's.
void runTrace(const Options& options, const Counts& counts, Report& report);

} // namespace bench
