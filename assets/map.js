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

  var districtLayers = [];

  function districtLabel(feature, layer) {
    layer.bindTooltip(feature.properties.name, {
      permanent: true, direction: "center", className: "gw-map-label"
    });
    /* dash-leaflet rebuilds the layers when their data change: keep only those still shown,
       so a page that runs for days holds no removed layers. */
    districtLayers = districtLayers.filter(function (kept) { return kept._map; });
    districtLayers.push(layer);
  }

  /* Fit each map to its districts again after its box changed (tablet reflow, resize):
     Leaflet fits bounds once, when the layer loads. */
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
      if (bounds[i].isValid()) { map.fitBounds(bounds[i], { animate: false }); }
    });
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
    layer.bindTooltip(feature.properties.name);
  }

  window.greenwall = Object.assign({}, window.greenwall, {
    map: {
      districtStyle: districtStyle,
      districtHover: districtHover,
      districtLabel: districtLabel,
      refit: refit,
      stationStyle: stationStyle,
      stationMarker: stationMarker,
      stationLabel: stationLabel
    }
  });
})();
