/* greenwall page behaviour: clock, freshness badges, flip counters, navigation callbacks.
   Everything here reads attributes the server renders; nothing polls the server.
   When a screen mounts it fires "greenwall:mounted" (canvas.js and kiosk.js listen). */
(function () {
  "use strict";

  var HEARTBEAT_LOST_S = 15;

  /* ---- clock in the bureau's zone (the clock's data-timezone), whatever the browser's ---- */
  var BUREAU_TZ = "Asia/Shanghai", formats = {};

  function bureauZone() {
    var clock = document.getElementById("gw-clock");
    return (clock && clock.getAttribute("data-timezone")) || BUREAU_TZ;
  }

  function format(name, zone) {
    var key = name + " " + zone;
    if (!formats[key]) {
      formats[key] = name === "zh" ? new Intl.DateTimeFormat("zh-CN", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, weekday: "short"
      }) : name === "en" ? new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, year: "numeric", month: "short", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, weekday: "short"
      }) : new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
      });
    }
    return formats[key];
  }

  function tickClock() {
    var clock = document.getElementById("gw-clock");
    if (!clock) { return; }
    var english = (clock.closest("[lang]") || document.documentElement).lang === "en";
    clock.textContent = format(english ? "en" : "zh", bureauZone()).format(new Date());
  }

  /* ---- quiet hours: "22:00-06:00[,HH:MM-HH:MM…]" of bureau time, as the server says ---- */
  function secondsOfDay(now) {
    var parts = format("time", bureauZone()).formatToParts(now), hms = {};
    parts.forEach(function (p) { hms[p.type] = +p.value; });
    return (hms.hour % 24) * 3600 + hms.minute * 60 + hms.second;
  }

  function windows(text) {
    return (text || "").split(",").filter(Boolean).map(function (part) {
      var ends = part.split("-").map(function (hhmm) {
        var hm = hhmm.split(":");
        return ((+hm[0] * 60 + +hm[1]) % 1440) * 60;
      });
      return { start: ends[0], end: ends[1] };
    });
  }

  /* The same rule as the server's (datasources/platform/feeds.py Freshness.status): silent in
     quiet hours is "quiet"; after them the age counts from their end at the latest. */
  function freshState(age, liveS, staleS, quiet, now) {
    var spans = windows(quiet);
    if (spans.length) {
      var second = secondsOfDay(now), inside = false, sinceEnd = 86400;
      spans.forEach(function (w) {
        if (w.start < w.end ? second >= w.start && second < w.end
                            : second >= w.start || second < w.end) { inside = true; }
        sinceEnd = Math.min(sinceEnd, (second - w.end + 86400) % 86400);
      });
      if (inside) { return age <= liveS ? "live" : "quiet"; }
      age = Math.min(age, sinceEnd);
    }
    return age <= liveS ? "live" : age <= staleS ? "delayed" : "stale";
  }

  /* ---- freshness: live / delayed / stale / quiet per tile, from its feed's last event ---- */
  function freshness() {
    var root = document.querySelector(".gw-screen");
    if (!root) { return; }
    var now = Date.now();
    var beat = +root.getAttribute("data-heartbeat") || 0;
    var connected = beat > 0 && (now - beat) / 1000 < HEARTBEAT_LOST_S &&
      root.getAttribute("data-source") === "ok";
    /* Before the first heartbeat the page is as fresh as the server that just built it. */
    var starting = !beat && (now - loadedAt) / 1000 < HEARTBEAT_LOST_S;
    root.setAttribute("data-connection", connected ? "live" : starting ? "connecting" : "lost");
    heal(root, now, beat);
    var tiles = root.querySelectorAll("[data-tile]");
    for (var i = 0; i < tiles.length; i++) {
      var tile = tiles[i];
      var last = +tile.getAttribute("data-last-event") || 0;
      var state;
      if (!connected && !starting) { state = "stale"; }
      else if (!tile.getAttribute("data-feed")) { state = "reference"; } /* published figures */
      else if (!last) { state = "nodata"; }
      else {
        /* The limits are the server's for this tile's feed (GREENWALL_FRESHNESS). */
        state = freshState((now - last) / 1000, +tile.getAttribute("data-live-after"),
                           +tile.getAttribute("data-stale-after"),
                           tile.getAttribute("data-quiet-hours"), new Date(now));
      }
      if (tile.getAttribute("data-fresh") !== state) { tile.setAttribute("data-fresh", state); }
    }
  }

  /* ---- self-heal: a live connection that never came up, or went silent, is made again ----
     The server sends a heartbeat every 5 s even when Redis is down, so silence means the
     page's own connection is broken: seen when a page loads while the one before it unloads
     (rotation, a reload) and Dash's shared WebSocket worker loses track of the new page. If the
     server answers, the page reloads; a page that keeps failing waits longer each time. */
  var FIRST_BEAT_S = 8, healing = false;
  function heal(root, now, beat) {
    if (healing || document.hidden) { return; }
    if (beat && (now - beat) / 1000 < HEARTBEAT_LOST_S) {
      if (sessionStorage.getItem("gw-heal")) { sessionStorage.removeItem("gw-heal"); }
      return;
    }
    var silentS = (now - (beat || loadedAt)) / 1000;
    if (silentS < (beat ? HEARTBEAT_LOST_S : FIRST_BEAT_S)) { return; }
    var tries = +(sessionStorage.getItem("gw-heal") || 0);
    var last = +(sessionStorage.getItem("gw-heal-at") || 0);
    if (now - last < Math.min(300, FIRST_BEAT_S * Math.pow(2, tries)) * 1000) { return; }
    healing = true;
    fetch("/healthz", { cache: "no-store" }).then(function () {
      sessionStorage.setItem("gw-heal", String(tries + 1));
      sessionStorage.setItem("gw-heal-at", String(Date.now()));
      root.setAttribute("data-reload", "reconnect");
      window.location.reload();
    }, function () { healing = false; });  /* the server is away: the page says stale, tries later */
  }

  /* ---- flip counters: digits that changed turn over ---- */
  function flip(mutations) {
    for (var i = 0; i < mutations.length; i++) {
      var target = mutations[i].target;
      var el = target.nodeType === 3 ? target.parentNode : target;
      if (el && el.classList && el.classList.contains("gw-digit")) {
        el.classList.remove("is-flipping");
        void el.offsetWidth; /* restart the animation */
        el.classList.add("is-flipping");
      }
    }
  }

  var loadedAt = Date.now();
  var flipObserver = new MutationObserver(flip);
  /* Badges follow a pushed update at once, not at the next clock tick. */
  var freshObserver = new MutationObserver(freshness);
  var watched = new WeakSet();

  function watchCounters() {
    var counters = document.querySelectorAll("[data-flip]");
    for (var i = 0; i < counters.length; i++) {
      if (!watched.has(counters[i])) {
        watched.add(counters[i]);
        flipObserver.observe(counters[i], { characterData: true, subtree: true, childList: true });
      }
    }
  }

  /* A screen is mounted by Dash after load: scale and watch whenever it (re)appears. */
  var pageObserver = new MutationObserver(function () {
    if (document.querySelector(".gw-canvas:not([data-gw-seen])")) {
      document.querySelector(".gw-canvas").setAttribute("data-gw-seen", "1");
      loadedAt = Date.now();
      watchCounters(); freshness(); tickClock();
      document.dispatchEvent(new CustomEvent("greenwall:mounted"));
      freshObserver.disconnect();
      freshObserver.observe(document.getElementById("gw-root"), {
        attributes: true, subtree: true,
        attributeFilter: ["data-last-event", "data-heartbeat", "data-source"]
      });
    }
    var retry = document.querySelector(".gw-error[data-retry]");
    if (retry && !retry.dataset.scheduled) {
      retry.dataset.scheduled = "1";
      setTimeout(function () { window.location.reload(); }, 10000);
    }
  });

  function start() {
    pageObserver.observe(document.body, { childList: true, subtree: true });
    setInterval(function () { tickClock(); freshness(); }, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  /* ---- links keep the view: the reader's lang, kiosk, fit and layout follow every link to
     the index or a screen; a link to this same screen (a district in the ranking) changes only
     the district it names and keeps everything else. The href is rewritten as the link is used
     (click, middle click, context menu), so links pushed later by the live connection keep it
     too. ---- */
  var VIEW_PARAMS = ["lang", "kiosk", "fit", "layout"];

  function viewKeepingHref(href) {
    var url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin) { return null; }
    if (url.pathname !== "/" && url.pathname.indexOf("/screens/") !== 0) { return null; }
    var current = new URLSearchParams(window.location.search);
    var kept = url.pathname === window.location.pathname
      ? Array.from(current.keys()).filter(function (name) { return name !== "district"; })
      : VIEW_PARAMS;
    kept.forEach(function (name) {
      if (current.has(name) && !url.searchParams.has(name)) {
        url.searchParams.set(name, current.get(name));
      }
    });
    return url.pathname + url.search + url.hash;
  }

  function keepView(event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) { return; }
    var href = viewKeepingHref(link.getAttribute("href"));
    if (href !== null && href !== link.getAttribute("href")) { link.setAttribute("href", href); }
    var plain = event.type === "click" && event.button === 0 && !event.ctrlKey &&
      !event.metaKey && !event.shiftKey && !event.altKey;
    if (plain && href !== null && new URL(href, window.location.href).pathname ===
        window.location.pathname) {
      rememberPlace(link);
    }
  }

  ["click", "auxclick", "contextmenu"].forEach(function (type) {
    document.addEventListener(type, keepView, true);
  });

  /* ---- a scope change keeps the reader's place: it loads the page again (the live connection
     restarts in the new scope), so the tile the reader acted in, or the first one in view, and
     how far down the window it sat go along in sessionStorage. The new page scrolls that tile
     back to the same height while it settles (maps and charts take their size late), unless
     the reader scrolls first. ---- */
  var PLACE_KEY = "greenwall:place", PLACE_TTL_MS = 30000, SETTLE_MS = 3000;

  function rememberPlace(from) {
    var tile = from && from.closest ? from.closest("[data-tile]") : null;
    if (!tile) {
      tile = Array.prototype.find.call(document.querySelectorAll("[data-tile]"), function (el) {
        return el.getBoundingClientRect().bottom > 0;
      }) || null;
    }
    sessionStorage.setItem(PLACE_KEY, JSON.stringify({
      path: window.location.pathname, y: window.scrollY, at: Date.now(),
      tile: tile && tile.getAttribute("data-tile"),
      top: tile ? tile.getBoundingClientRect().top : 0
    }));
  }

  function restorePlace() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(PLACE_KEY) || "null"); } catch (e) { saved = null; }
    sessionStorage.removeItem(PLACE_KEY);
    if (!saved || saved.path !== window.location.pathname ||
        Date.now() - saved.at > PLACE_TTL_MS) { return; }
    var until = Date.now() + SETTLE_MS, stopped = false;
    var readerMoves = ["wheel", "touchstart", "keydown", "pointerdown"];
    function stop() { stopped = true; }
    readerMoves.forEach(function (type) {
      window.addEventListener(type, stop, { passive: true, capture: true });
    });
    (function step() {
      var tile = saved.tile ? document.querySelector(
        "[data-tile=\"" + CSS.escape(saved.tile) + "\"]") : null;
      var target = tile ? window.scrollY + tile.getBoundingClientRect().top - saved.top : saved.y;
      if (!stopped && Math.abs(window.scrollY - target) > 1) { window.scrollTo(0, target); }
      if (!stopped && Date.now() < until) { setTimeout(step, 100); return; }
      readerMoves.forEach(function (type) {
        window.removeEventListener(type, stop, { capture: true });
      });
    })();
  }

  document.addEventListener("greenwall:mounted", restorePlace);

  /* ---- clientside callbacks: scope changes navigate (the live connection restarts) ---- */
  function scopeHref(district) {
    var params = new URLSearchParams(window.location.search);
    if (!district || district === "310000") { params.delete("district"); }
    else { params.set("district", district); }
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    greenwall: {
      scopeFromPicker: function (value, current) {
        if (!value || value === (current || "310000")) { return window.dash_clientside.no_update; }
        rememberPlace(null);
        return scopeHref(value);
      },
      scopeFromMap: function (clickData, current) {
        var adcode = clickData && clickData.properties && clickData.properties.adcode;
        if (!adcode) { return window.dash_clientside.no_update; }
        rememberPlace(document.querySelector(".gw-map"));
        /* Clicking the district already in scope goes back to the whole city. */
        return scopeHref(adcode === current ? "310000" : adcode);
      }
    }
  });
})();
