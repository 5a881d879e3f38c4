// The pages the screencast scenarios (recording, live) show, as data: URLs.
#pragma once

namespace bench {

// A test's page: its text changes twice a second (a clock, a spinner, a form being filled).
inline constexpr const char* kTestPage =
    "data:text/html,<body style='margin:0;font:40px sans-serif'><p id=t></p><script>"
    "let n=0;setInterval(()=>{document.getElementById('t').textContent='step '+(++n)},500)"
    "</script></body>";

// A page that repaints every animation frame: the most a screencast sends.
inline constexpr const char* kAnimatedPage =
    "data:text/html,<body style='margin:0'><h1 id=t style='font-size:120px'></h1><script>"
    "let n=0;function f(){n++;document.body.style.background='hsl('+(n%25360)+',80%25,50%25)';"
    "document.getElementById('t').textContent=n;requestAnimationFrame(f)}f()</script></body>";

// A form's page: a button whose click changes the page's text (the page-changing command a
// trace keeps pictures around).
inline constexpr const char* kClickPage =
    "data:text/html,<body style='margin:0;font:40px sans-serif'><button id=b "
    "onclick='this.nextElementSibling.textContent=++n'>Go</button><p></p>"
    "<script>let n=0</script></body>";

} // namespace bench
