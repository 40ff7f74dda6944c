/* Leaflet style functions of the forest-chief map (resolved as window.greenwall.forest.*):
   districts tinted by fire-danger level, patrol grids by today's visits, open cases as dots.
   The layers' hideout props carry the live numbers; these functions only turn them into styles. */
(function () {
  "use strict";

  var NO_LEVEL = "#27415c";

  function districtStyle(feature, context) {
    var hideout = window.greenwall.map.remember("forestDistricts", context && context.hideout);
    var adcode = feature.properties.adcode;
    var level = (hideout.levels || {})[adcode];
    var ramp = hideout.ramp || [];
    var colour = level ? ramp[Math.min(level, ramp.length) - 1] : NO_LEVEL;
    var selected = hideout.selected === adcode;
    return {
      fillColor: colour, fillOpacity: level ? 0.3 : 0.15,
      color: selected ? "#ffffff" : (level ? colour : "#8fd3ff"),
      weight: selected ? 3 : 1.6, opacity: 0.95,
      className: "gw-district gw-district-" + adcode  /* stable hooks for tests and CSS */
    };
  }

  /* The grid layer covers the districts, so a district is clicked, and hovered, by its name:
     the label passes both on to the district's layer (assets/map.js places the labels). */
  function districtLabel(feature, layer) {
    var map = window.greenwall.map, adcode = feature.properties.adcode;
    map.labelDistrict(layer, feature,
                      "gw-map-label gw-map-label-link gw-label-" + adcode, true);
    map.bindTip(layer, feature.properties.label || feature.properties.name, function () {
      var hideout = map.latest.forestDistricts || {};
      var level = (hideout.levels || {})[adcode];
      var names = hideout.names || [];
      return [level ? names[Math.min(level, names.length) - 1] || String(level)
                    : hideout.none || "—"];
    });
  }

  function cellStyle(feature, context) {
    var hideout = window.greenwall.map.remember("cells", context && context.hideout);
    var visits = (hideout.values || {})[feature.properties.id] || 0;
    /* Light enough for the district's fire-level tint to show through. */
    var shade = visits ? 0.1 + 0.3 * Math.min(visits, 8) / 8 : 0;
    return {
      fill: true, fillColor: hideout.colour || "#35d0ff", fillOpacity: shade,
      color: visits ? "rgba(53,208,255,0.45)" : "rgba(143,211,255,0.14)", weight: 0.5,
      className: "gw-cell gw-cell-" + feature.properties.id + (visits ? " is-visited" : "")
    };
  }

  function cellHover() {
    return { weight: 2, color: "#ffffff" };
  }

  /* A grid's id and today's patrols in it, with the unit, once the pointer rests on it. */
  function cellTip(feature, layer) {
    var map = window.greenwall.map, id = feature.properties.id;
    map.bindRestingTip(layer, id, function () {
      var hideout = map.latest.cells || {};
      var visits = (hideout.values || {})[id] || 0;
      return [(hideout.tip ? hideout.tip + " " : "") + visits +
              (hideout.unit ? " " + hideout.unit : "")];
    });
  }

  function caseMarker(feature, latlng) {
    var p = feature.properties;
    return L.circleMarker(latlng, {
      radius: p.overdue ? 5 : 3.5, fillColor: p.colour, fillOpacity: 0.95,
      color: p.overdue ? "#ff4d4f" : "#061423", weight: p.overdue ? 2 : 0.8,
      className: "gw-case" + (p.overdue ? " is-overdue" : "")
    });
  }

  /* The label starts with the incident id as the feed sent it: text, never HTML. */
  function caseLabel(feature, layer) {
    layer.bindTooltip(window.greenwall.map.textLabel(feature.properties.label));
  }

  window.greenwall = Object.assign({}, window.greenwall, {
    forest: {
      districtStyle: districtStyle,
      districtLabel: districtLabel,
      cellStyle: cellStyle,
      cellHover: cellHover,
      cellTip: cellTip,
      caseMarker: caseMarker,
      caseLabel: caseLabel
    }
  });
})();
