/* greenwall page behaviour: clock, freshness badges, flip counters, navigation callbacks.
   Everything here reads attributes the server renders; nothing polls the server.
   When a screen mounts it fires "greenwall:mounted" (canvas.js and kiosk.js listen). */
(function () {
  "use strict";

  var LIVE_S = 120, STALE_S = 600, HEARTBEAT_LOST_S = 15;

  /* ---- clock in Asia/Shanghai, whatever the browser's zone ---- */
  var clockFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, weekday: "short"
  });

  var clockFormatEn = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, weekday: "short"
  });

  function tickClock() {
    var clock = document.getElementById("gw-clock");
    if (!clock) { return; }
    var english = (clock.closest("[lang]") || document.documentElement).lang === "en";
    clock.textContent = (english ? clockFormatEn : clockFormat).format(new Date());
  }

  /* ---- freshness: live / delayed / stale per tile, from its feed's last event time ---- */
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
      else if (!last) { state = "nodata"; }
      else {
        var age = (now - last) / 1000;
        var liveS = +tile.getAttribute("data-live-after") || LIVE_S;
        var staleS = +tile.getAttribute("data-stale-after") || STALE_S;
        state = age <= liveS ? "live" : age <= staleS ? "delayed" : "stale";
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
  }

  ["click", "auxclick", "contextmenu"].forEach(function (type) {
    document.addEventListener(type, keepView, true);
  });

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
        return scopeHref(value);
      },
      scopeFromMap: function (clickData, current) {
        var adcode = clickData && clickData.properties && clickData.properties.adcode;
        if (!adcode) { return window.dash_clientside.no_update; }
        /* Clicking the district already in scope goes back to the whole city. */
        return scopeHref(adcode === current ? "310000" : adcode);
      }
    }
  });
})();
