/* Leaflet style functions for dash-leaflet GeoJSON layers (resolved as window.greenwall.map.*).
   The hideout props carry the live numbers; these functions only turn them into styles. */
(function () {
  "use strict";

  function rampColour(rate, ramp) {
    if (rate === null || rate === undefined) { return "#27415c"; }
    var colour = ramp[0][1];
    for (var i = 0; i < ramp.length; i++) {
      if (rate >= ramp[i][0]) { colour = ramp[i][1]; }
    }
    return colour;
  }

  function districtStyle(feature, context) {
    var hideout = (context && context.hideout) || {};
    var adcode = feature.properties.adcode;
    var rate = (hideout.rates || {})[adcode];
    var selected = hideout.selected === adcode;
    return {
      fillColor: rampColour(rate, hideout.ramp || [[0, "#1fa37a"]]),
      fillOpacity: 0.72,
      color: selected ? "#ffffff" : "#8fd3ff",
      weight: selected ? 3 : 1,
      opacity: 0.9,
      className: "gw-district gw-district-" + adcode  /* stable hooks for tests and CSS */
    };
  }

  function districtHover() {
    return { weight: 3, color: "#ffffff" };
  }

  /* Tooltip content from data (a name from master data, an id from a feed): Leaflet inserts a
     string as HTML, a DOM node as it is, so data always goes in as a text node. */
  function textLabel(value) {
    return document.createTextNode(value === null || value === undefined ? "" : String(value));
  }

  /* ---- fitting every map to its districts: the one mechanism both screens use ---- */
  var districtLayers = [];
  var watchedMaps = typeof WeakSet === "function" ? new WeakSet() : null;
  var sizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(refitSoon) : null;
  var refitTimer = null;

  /* Remember a district layer, so its map can be fitted again when its box changes (tablet
     reflow, resize). dash-leaflet rebuilds the layers when their data change: only layers still
     shown are kept, so a page that runs for days holds no removed ones. */
  function track(layer) {
    districtLayers = districtLayers.filter(function (kept) { return kept._map; });
    districtLayers.push(layer);
    layer.on("add", function () { watch(layer._map); });
  }

  /* A ResizeObserver fires once when it starts watching and then on every size change: the
     first fit after the canvas has its size, and again only when the box really changes. */
  function watch(map) {
    if (!map || !sizeObserver || watchedMaps.has(map)) { return; }
    watchedMaps.add(map);
    sizeObserver.observe(map.getContainer());
  }

  function refitSoon() {
    clearTimeout(refitTimer);
    refitTimer = setTimeout(refit, 200);
  }

  function refit() {
    var maps = [], bounds = [];
    districtLayers = districtLayers.filter(function (layer) { return layer._map; });
    districtLayers.forEach(function (layer) {
      var i = maps.indexOf(layer._map);
      if (i < 0) { maps.push(layer._map); bounds.push(L.latLngBounds([])); i = maps.length - 1; }
      bounds[i].extend(layer.getBounds());
    });
    maps.forEach(function (map, i) {
      map.invalidateSize(false);
      if (bounds[i].isValid()) { map.fitBounds(bounds[i], { animate: false, padding: [6, 6] }); }
    });
  }

  function districtLabel(feature, layer) {
    layer.bindTooltip(textLabel(feature.properties.name), {
      permanent: true, direction: "center", className: "gw-map-label"
    });
    track(layer);
  }

  function stationRadius(tonnes, max) {
    if (!max || !tonnes) { return 3; }
    return 3 + 11 * Math.sqrt(tonnes / max);
  }

  function stationStyle(feature, context) {
    var hideout = (context && context.hideout) || {};
    var tonnes = (hideout.sizes || {})[feature.properties.id] || 0;
    return {
      radius: stationRadius(tonnes, hideout.max),
      color: "#ffe08a", weight: 1, fillColor: "#ffc145", fillOpacity: 0.85
    };
  }

  function stationMarker(feature, latlng, context) {
    var style = stationStyle(feature, context);
    return L.circleMarker(latlng, style);
  }

  function stationLabel(feature, layer) {
    layer.bindTooltip(textLabel(feature.properties.name));
  }

  window.greenwall = Object.assign({}, window.greenwall, {
    map: {
      districtStyle: districtStyle,
      districtHover: districtHover,
      districtLabel: districtLabel,
      refit: refit,
      track: track,
      textLabel: textLabel,
      stationStyle: stationStyle,
      stationMarker: stationMarker,
      stationLabel: stationLabel
    }
  });
})();
