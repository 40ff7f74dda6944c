/* Embedded screens (/embed/<slug>) talk to the page that frames them, by postMessage.
   Host → screen: {type: "greenwall:scope", district} re-scopes the screen (a navigation, so the
   server checks the token again) when the token allows that district.
   Screen → host: "greenwall:ready" once live, "greenwall:select" for a district the user
   clicked (map or ranking), "greenwall:scope-refused", "greenwall:expired", and
   "greenwall:refused" from a 401/403 page. Messages go only to the allowed frame ancestors
   that are concrete origins, else to the referrer's origin; nothing is ever sent to "*". */
(function () {
  "use strict";

  var CITY = "310000";
  var DISTRICT_CLASS = /(?:^|\s)gw-district-(\d{6})(?:\s|$)/;
  var readySent = false;

  function framed() { return window.parent && window.parent !== window; }

  function embedRoot() { return document.querySelector("#gw-root[data-embed]"); }

  /* The origin of the page framing this one, as far as the browser tells. */
  function seenParentOrigin() {
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      return window.location.ancestorOrigins[0];
    }
    try { return document.referrer ? new URL(document.referrer).origin : null; }
    catch (e) { return null; }
  }

  /* Where messages may go: data-embed-origins lists the concrete frame ancestors ("self" for
     'self'); data-embed-any-origin says some ancestor is a pattern, not an origin. */
  function hostOrigins(el) {
    var listed = (el.getAttribute("data-embed-origins") || "").split(/\s+/).filter(Boolean)
      .map(function (o) { return o === "self" ? window.location.origin : o; });
    var vague = !!el.getAttribute("data-embed-any-origin");
    var seen = seenParentOrigin();
    if (seen) { return listed.indexOf(seen) >= 0 || vague ? [seen] : []; }
    return listed;
  }

  function post(el, message) {
    if (!framed()) { return; }
    hostOrigins(el).forEach(function (origin) { window.parent.postMessage(message, origin); });
  }

  function districtNames(el) {
    try { return JSON.parse(el.getAttribute("data-district-names") || "{}"); }
    catch (e) { return {}; }
  }

  function currentDistrict(el) { return el.getAttribute("data-district") || CITY; }

  function allowed(el, district) {
    var rights = el.getAttribute("data-embed-districts") || "";
    if (district !== CITY && !districtNames(el)[district]) { return false; }
    return rights === "*" || rights.split(/\s+/).indexOf(district) >= 0;
  }

  function readyMessage(el) {
    var district = currentDistrict(el);
    var version = el.getAttribute("data-version");
    return {
      type: "greenwall:ready", screen: el.getAttribute("data-screen"), district: district,
      name: districtNames(el)[district] || null, version: version ? Number(version) : null,
      districts: el.getAttribute("data-embed-districts") === "*" ? "*"
        : (el.getAttribute("data-embed-districts") || "").split(/\s+/).filter(Boolean)
    };
  }

  /* ---- host → screen ---- */
  function rescope(el, requested) {
    var district = requested === null || requested === undefined || requested === ""
      ? CITY : String(requested);
    if (!allowed(el, district)) {
      post(el, {
        type: "greenwall:scope-refused", screen: el.getAttribute("data-screen"),
        district: district, current: currentDistrict(el),
        reason: districtNames(el)[district] || district === CITY
          ? "outside this token's districts" : "not a Shanghai district adcode"
      });
      return;
    }
    if (district === currentDistrict(el)) {
      if (readySent) { post(el, readyMessage(el)); }
      return;
    }
    var params = new URLSearchParams(window.location.search);
    if (district === CITY) { params.delete("district"); } else { params.set("district", district); }
    /* replace: a scope change must not add entries to the host page's history. */
    window.location.replace(window.location.pathname + "?" + params.toString());
  }

  window.addEventListener("message", function (event) {
    var el = embedRoot();
    if (!el || event.source !== window.parent) { return; }
    if (hostOrigins(el).indexOf(event.origin) < 0) { return; }
    var data = event.data;
    if (data && typeof data === "object" && data.type === "greenwall:scope") {
      rescope(el, data.district);
    }
  });

  /* ---- screen → host: what the user clicked ---- */
  function clickedDistrict(target, link) {
    var shape = target.closest ? target.closest(".leaflet-interactive") : null;
    var match = shape && DISTRICT_CLASS.exec(shape.getAttribute("class") || "");
    if (match) { return match[1]; }
    if (link) {
      try { return new URL(link.href).searchParams.get("district") || CITY; }
      catch (e) { return null; }
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    var el = embedRoot();
    if (!el || !el.contains(event.target)) { return; }
    var row = event.target.closest(".gw-rank-row");
    var link = event.target.closest("a[href]") || (row && row.querySelector("a[href]"));
    var district = clickedDistrict(event.target, link);
    if (!district && !link) { return; }
    /* The host decides what a click does: no navigation out of the frame, no map re-scope. */
    event.preventDefault();
    event.stopPropagation();
    if (!district) { return; }
    var tile = event.target.closest("[data-tile]");
    var metric = row && row.querySelector("[data-metric]");
    var value = metric && metric.getAttribute("data-value");
    post(el, {
      type: "greenwall:select", screen: el.getAttribute("data-screen"),
      tile: tile ? tile.getAttribute("data-tile").split(".").slice(1).join(".") : null,
      district: district, name: districtNames(el)[district] || null,
      metric: metric ? metric.getAttribute("data-metric") : null,
      value: value ? Number(value) : null,
      allowed: allowed(el, district)
    });
  }, true);

  /* ---- screen → host: live, expired ---- */
  function watch(el) {
    readySent = false;
    var observer = new MutationObserver(function () {
      if (!readySent && el.getAttribute("data-connection") === "live") {
        readySent = true;
        post(el, readyMessage(el));
      }
      if (el.getAttribute("data-token") === "expired") {
        observer.disconnect();
        post(el, { type: "greenwall:expired", screen: el.getAttribute("data-screen") });
        window.location.reload();  /* the server answers with the 401 page and its reason */
      }
    });
    observer.observe(el, { attributes: true, attributeFilter: ["data-connection", "data-token"] });
  }

  document.addEventListener("greenwall:mounted", function () {
    var el = embedRoot();
    if (el) { watch(el); }
  });

  /* A refused embed page (401/403, served without Dash) tells the host why. */
  function refused() {
    var page = document.querySelector(".gw-error-page[data-embed-origins]");
    if (!page) { return; }
    post(page, {
      type: "greenwall:refused",
      status: Number(page.getAttribute("data-status")),
      reason: page.getAttribute("data-reason")
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refused);
  } else {
    refused();
  }
})();
