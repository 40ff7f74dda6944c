/* Always-on behaviour: rotation through screens and districts, a screen kept awake in kiosk
   mode, a reload when a new version is deployed, and a memory watchdog. Rotation and reloads
   are whole-page navigations: nothing accumulates in a page that runs for days. */
(function () {
  "use strict";

  var PAUSE_AFTER_TOUCH_S = 120;
  var DISTRICTS = ["310000", "310101", "310104", "310105", "310106", "310107", "310109",
    "310110", "310112", "310113", "310114", "310115", "310116", "310117", "310118", "310120",
    "310151"];
  var MEMORY_SAMPLE_S = 60, MEMORY_SAMPLES = 30, MEMORY_GROWTH = 1.6;

  var rotationTimer = null, pausedUntil = 0, mountedBuild = null, reloading = false;

  function root() { return document.getElementById("gw-root"); }

  /* ---- rotation ---- */
  function nextUrl(el) {
    var params = new URLSearchParams(window.location.search);
    var screens = (el.getAttribute("data-screens") || "").split(",").filter(Boolean);
    var current = el.getAttribute("data-screen");
    var byDistrict = +el.getAttribute("data-rotate-districts");
    var nextScreen = current;
    if (byDistrict) {
      /* An embed token may allow only some districts: step through those alone. */
      var allowed = (el.getAttribute("data-embed-districts") || "*").split(" ");
      var cycle = allowed[0] === "*" ? DISTRICTS : allowed;
      var at = cycle.indexOf(el.getAttribute("data-district") || "310000");
      var next = cycle[(at + 1) % cycle.length];
      if (next === "310000") { params.delete("district"); } else { params.set("district", next); }
      /* A whole round of districts done: on to the next screen of the playlist, if any. */
      if (next === cycle[0] && screens.length) {
        nextScreen = screens[(screens.indexOf(current) + 1) % screens.length];
      }
    } else if (screens.length) {
      nextScreen = screens[(screens.indexOf(current) + 1) % screens.length];
    }
    var base = window.location.pathname.replace(/[^/]+$/, nextScreen);
    return base + "?" + params.toString();
  }

  function scheduleRotation() {
    var el = root();
    if (!el) { return; }
    var seconds = +el.getAttribute("data-rotate-districts") || +el.getAttribute("data-rotate");
    if (!seconds) { return; }
    clearTimeout(rotationTimer);
    var wait = Math.max(seconds * 1000, pausedUntil - Date.now());
    el.setAttribute("data-rotation", pausedUntil > Date.now() ? "paused" : "running");
    rotationTimer = setTimeout(function () {
      if (Date.now() < pausedUntil) { scheduleRotation(); return; }
      el.setAttribute("data-rotation", "advancing");
      window.location.assign(nextUrl(el));
    }, wait);
  }

  function pauseRotation() {
    var el = root();
    if (!el || !(+el.getAttribute("data-rotate") || +el.getAttribute("data-rotate-districts"))) {
      return;
    }
    pausedUntil = Date.now() + PAUSE_AFTER_TOUCH_S * 1000;
    try { sessionStorage.setItem("greenwall:paused-until", String(pausedUntil)); } catch (e) {}
    scheduleRotation();
  }

  /* ---- kiosk: stay awake ---- */
  var wakeLock = null;
  function keepAwake() {
    var el = root();
    if (!el || !el.getAttribute("data-kiosk") || !navigator.wakeLock) { return; }
    if (wakeLock && !wakeLock.released) { return; }
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; })
      .catch(function () { /* not granted (e.g. hidden tab): try again when visible */ });
  }

  /* ---- reload at a quiet moment: a new deployment, or memory that keeps growing ---- */
  function reloadWhenQuiet(reason) {
    if (reloading) { return; }
    reloading = true;
    var el = root();
    if (el) { el.setAttribute("data-reload", reason); }
    /* Quiet: right after a data update has been drawn, or within 30 s at the latest. */
    var done = false;
    function go() { if (!done) { done = true; window.location.reload(); } }
    var observer = new MutationObserver(function () { setTimeout(go, 500); });
    if (el) { observer.observe(el, { attributes: true, attributeFilter: ["data-version"] }); }
    setTimeout(go, 30000);
  }

  function watchBuild() {
    var el = root();
    if (!el) { return; }
    mountedBuild = el.getAttribute("data-build");
    new MutationObserver(function () {
      var build = el.getAttribute("data-build");
      if (mountedBuild && build && build !== mountedBuild) { reloadWhenQuiet("new-build"); }
    }).observe(el, { attributes: true, attributeFilter: ["data-build"] });
  }

  var memorySamples = [];
  function sampleMemory() {
    if (!window.performance || !performance.memory) { return; }
    memorySamples.push(performance.memory.usedJSHeapSize);
    if (memorySamples.length > MEMORY_SAMPLES) { memorySamples.shift(); }
    if (memorySamples.length < MEMORY_SAMPLES) { return; }
    /* Growing all along: every later third above the first, the last well above the start. */
    var third = Math.floor(MEMORY_SAMPLES / 3);
    var avg = function (xs) { return xs.reduce(function (a, b) { return a + b; }, 0) / xs.length; };
    var first = avg(memorySamples.slice(0, third));
    var middle = avg(memorySamples.slice(third, 2 * third));
    var last = avg(memorySamples.slice(2 * third));
    if (middle > first && last > middle && last > first * MEMORY_GROWTH) {
      reloadWhenQuiet("memory");
    }
  }

  document.addEventListener("greenwall:mounted", function () {
    try { pausedUntil = +sessionStorage.getItem("greenwall:paused-until") || 0; } catch (e) {}
    scheduleRotation();
    keepAwake();
    watchBuild();
  });
  ["pointerdown", "keydown", "wheel"].forEach(function (type) {
    window.addEventListener(type, pauseRotation, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { keepAwake(); }
  });
  setInterval(sampleMemory, MEMORY_SAMPLE_S * 1000);
})();
