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
    var hideout = remember("districts", context && context.hideout);
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
      placeSoon(map);
    });
  }

  /* ---- hover tooltips: a name and a figure with its unit, built as text nodes ---- */
  /* The latest hideout each layer family was styled with: tooltips read the figures of now. */
  var latest = {};

  function remember(family, hideout) {
    latest[family] = hideout || {};
    return latest[family];
  }

  /* One line of text: the name, then its figures. A single text node, whatever the name holds. */
  function tipText(title, lines) {
    return textLabel([title].concat(lines).join(" · "));
  }

  function number(value, decimals) {
    return (+value).toLocaleString("en-US", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    });
  }

  var TIP = { direction: "top", offset: [0, -10], className: "gw-map-tip" };

  /* Hover tooltip of a feature: ``lines()`` says what it shows, when it opens. */
  function bindTip(layer, title, lines) {
    layer.bindTooltip(function () { return tipText(title, lines()); },
                      Object.assign({ sticky: true }, TIP));
  }

  /* The same for layers by the thousand (patrol grids): one tooltip shared by all, opened once
     the pointer rests on a feature, so sweeping across the map neither flickers nor costs a
     layout per feature. */
  var REST_MS = 120, restTimer = null, shared = null;

  function bindRestingTip(layer, title, lines) {
    layer.on("mouseover mousemove", function (event) {
      clearTimeout(restTimer);
      var at = event.latlng;
      restTimer = setTimeout(function () {
        var map = layer._map;
        if (!map || !at) { return; }
        shared = shared || L.tooltip(TIP);
        shared.setLatLng(at).setContent(tipText(title, lines()));
        if (!shared._map) { map.addLayer(shared); }
      }, REST_MS);
    });
    layer.on("mouseout remove", function () {
      clearTimeout(restTimer);
      if (shared && shared._map) { shared._map.removeLayer(shared); }
    });
  }

  /* ---- district labels: one per district, placed so that none covers another ----
     A label is a tooltip of its own (the district's layer keeps its hover tooltip), kept per
     map and district across the layer's rebuilds on every live update, so it never jumps. */
  var labels = [];

  function districtName(feature) {
    return feature.properties.label || feature.properties.name;
  }

  /* Show ``text`` as ``layer``'s permanent name on the map. ``clickable`` labels pass clicks
     and hovers on to the district (dash-leaflet reads the clicked feature from the label). */
  function labelDistrict(layer, feature, className, clickable) {
    var key = feature.properties.adcode;
    layer.on("add", function () {
      var map = layer._map;
      var entry = labels.filter(function (e) { return e.map === map && e.key === key; })[0];
      if (!entry) {
        var label = L.tooltip({ permanent: true, direction: "center", interactive: clickable,
                                className: className });
        label.setContent(textLabel(districtName(feature)));
        entry = { map: map, key: key, label: label, layer: null };
        labels.push(entry);
      }
      if (entry.layer && clickable) { entry.label.removeEventParent(entry.layer); }
      entry.layer = layer;
      entry.label.feature = feature;
      if (clickable) { entry.label.addEventParent(layer); }
      entry.label.setLatLng(layer.getCenter());
      if (!entry.label._map) { map.addLayer(entry.label); placeSoon(map); }
    });
    layer.on("remove", function () {
      /* A rebuild removes every layer and adds new ones at once: only a district that does not
         come back loses its label. */
      setTimeout(function () {
        labels = labels.filter(function (entry) {
          if (entry.layer !== layer || layer._map) { return true; }
          if (entry.label._map) { entry.label._map.removeLayer(entry.label); }
          return false;
        });
      }, 0);
    });
    track(layer);
  }

  var placeTimers = typeof WeakMap === "function" ? new WeakMap() : null;

  function placeSoon(map) {
    if (!placeTimers) { return; }
    clearTimeout(placeTimers.get(map));
    placeTimers.set(map, setTimeout(function () { placeLabels(map); }, 60));
    if (!map._gwPlacing) {
      map._gwPlacing = true;
      map.on("zoomend moveend resize", function () { placeSoon(map); });
      /* Labels are measured as drawn: again once the CJK web font has replaced the fallback
         (its glyphs are a few pixels taller), or a label placed at the edge ends up cut. */
      if (document.fonts) {
        document.fonts.addEventListener("loadingdone", function () { placeSoon(map); });
        document.fonts.ready.then(function () { placeSoon(map); });
      }
    }
  }

  var LABEL_PAD = 3, LEADER_AFTER = 4, MAX_SHIFT = 240, STEP = 6, DIRECTIONS = 24;

  /* Nudges from the district's centre, in rings; wider than tall, as labels are. */
  var CANDIDATES = (function () {
    var out = [[0, 0]];
    for (var r = STEP; r <= MAX_SHIFT; r += STEP) {
      for (var i = 0; i < DIRECTIONS; i++) {
        var a = 2 * Math.PI * i / DIRECTIONS;
        out.push([Math.round(r * Math.cos(a) * 1.6), Math.round(r * Math.sin(a))]);
      }
    }
    return out;
  })();

  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function shifted(box, dx, dy, pad) {
    return { left: box.left + dx - pad, top: box.top + dy - pad,
             right: box.right + dx + pad, bottom: box.bottom + dy + pad };
  }

  function centre(box) {
    return [(box.left + box.right) / 2, (box.top + box.bottom) / 2];
  }

  /* Greedy placement, in the map's own CSS pixels (so a canvas drawn at 2× on a 4K wall places
     exactly as at 1×): the largest districts keep their centre; each smaller one takes the
     cheapest spot where it covers no label placed before it and no legend and stays inside the
     map. A spot costs its distance, less when it lies outward from the crowd the label was in
     (so the dense centre opens up like a flower rather than labels swapping sides), and a
     label that moved off its district gets a leader line back. */
  function placeLabels(map) {
    var container = map.getContainer();
    var mine = labels.filter(function (e) { return e.label._map === map && e.label.getElement(); });
    if (!container.isConnected || !mine.length) { return; }
    var frame = container.getBoundingClientRect();
    var scale = frame.width / (container.offsetWidth || frame.width || 1) || 1;
    var width = container.offsetWidth, height = container.offsetHeight;
    if (!width || !height) { return; }
    function local(rect) {
      return { left: (rect.left - frame.left) / scale, top: (rect.top - frame.top) / scale,
               right: (rect.right - frame.left) / scale, bottom: (rect.bottom - frame.top) / scale };
    }
    mine.forEach(function (e) {
      var el = e.label.getElement();
      el.style.marginLeft = "0px";
      el.style.marginTop = "0px";
      el.style.padding = "0 3px";  /* the box is the text's: labels pack closer */
      var size = map.latLngToContainerPoint(e.layer.getBounds().getNorthEast())
        .subtract(map.latLngToContainerPoint(e.layer.getBounds().getSouthWest()));
      e.area = Math.abs(size.x * size.y);
    });
    mine.forEach(function (e) { e.box = local(e.label.getElement().getBoundingClientRect()); });
    /* The crowd: labels that collide where their districts put them, and its middle. */
    var crowd = mine.filter(function (e) {
      return mine.some(function (o) {
        return o !== e && overlap(shifted(e.box, 0, 0, LABEL_PAD), o.box) > 0;
      });
    });
    var middle = [0, 0];
    crowd.forEach(function (e) {
      var c = centre(e.box);
      middle[0] += c[0] / crowd.length; middle[1] += c[1] / crowd.length;
    });
    var taken = Array.prototype.map.call(
      (container.closest(".gw-map") || container).querySelectorAll(
        ".gw-map-legend, .gw-cellmap-legends, .gw-cellmap-info"),
      function (el) { return local(el.getBoundingClientRect()); });
    mine.sort(function (a, b) { return b.area - a.area || (a.key < b.key ? -1 : 1); });
    var leaders = [];
    mine.forEach(function (e) {
      var anchor = centre(e.box);
      var out = [anchor[0] - middle[0], anchor[1] - middle[1]];
      var outLength = Math.sqrt(out[0] * out[0] + out[1] * out[1]) || 1;
      var best = null, bestCost = Infinity, fallback = null, fallbackCost = Infinity;
      for (var i = 0; i < CANDIDATES.length; i++) {
        var dx = CANDIDATES[i][0], dy = CANDIDATES[i][1];
        var box = shifted(e.box, dx, dy, 0);
        if (box.left < LABEL_PAD || box.top < LABEL_PAD || box.right > width - LABEL_PAD ||
            box.bottom > height - LABEL_PAD) { continue; }
        var distance = Math.sqrt(dx * dx + dy * dy);
        var outward = distance ? (dx * out[0] + dy * out[1]) / (distance * outLength) : 1;
        var cost = distance * (1.6 - 0.6 * outward);
        if (cost >= bestCost) { continue; }
        var padded = shifted(e.box, dx, dy, LABEL_PAD), covered = 0;
        for (var j = 0; j < taken.length; j++) { covered += overlap(padded, taken[j]); }
        if (covered === 0) { best = [dx, dy]; bestCost = cost; }
        else if (covered < fallbackCost) { fallback = [dx, dy]; fallbackCost = covered; }
      }
      best = best || fallback || [0, 0];
      var el = e.label.getElement();
      el.style.marginLeft = best[0] + "px";
      el.style.marginTop = best[1] + "px";
      var placed = shifted(e.box, best[0], best[1], 0);
      taken.push(placed);
      var end = [Math.max(placed.left, Math.min(anchor[0], placed.right)),
                 Math.max(placed.top, Math.min(anchor[1], placed.bottom))];
      if (Math.abs(end[0] - anchor[0]) + Math.abs(end[1] - anchor[1]) > LEADER_AFTER) {
        leaders.push([anchor[0], anchor[1], end[0], end[1]]);
      }
    });
    drawLeaders(map, leaders);
  }

  var SVG = "http://www.w3.org/2000/svg";

  /* Leader lines from a district's centre to its moved label, over the map and under the
     labels (the tooltip pane), in the map container's pixels. */
  function drawLeaders(map, leaders) {
    var pane = map.getPane("gwLeaders") || map.createPane("gwLeaders");
    pane.style.zIndex = 640;
    pane.style.pointerEvents = "none";
    var svg = pane.querySelector("svg");
    if (!svg) {
      svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "gw-map-leaders");
      svg.style.position = "absolute";
      svg.style.overflow = "visible";
      pane.appendChild(svg);
    }
    /* The pane moves with the map: draw from the container's top-left corner as it is now. */
    var origin = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(svg, origin);
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    leaders.forEach(function (l) {
      /* A dark casing under a light line: visible on every fill colour. */
      [["rgba(6, 20, 35, 0.8)", "3.5"], ["#ffffff", "1.5"]].forEach(function (pen) {
        var line = document.createElementNS(SVG, "line");
        line.setAttribute("x1", l[0]); line.setAttribute("y1", l[1]);
        line.setAttribute("x2", l[2]); line.setAttribute("y2", l[3]);
        line.setAttribute("stroke", pen[0]);
        line.setAttribute("stroke-width", pen[1]);
        line.setAttribute("stroke-linecap", "round");
        svg.appendChild(line);
      });
      var dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", l[0]); dot.setAttribute("cy", l[1]); dot.setAttribute("r", "2.5");
      dot.setAttribute("fill", "#ffffff");
      dot.setAttribute("stroke", "rgba(6, 20, 35, 0.8)");
      svg.appendChild(dot);
    });
  }

  if (document.fonts && document.fonts.ready) {
    /* Labels measured before the web font arrived are re-placed at their real size. */
    document.fonts.ready.then(function () {
      labels.forEach(function (e) { placeSoon(e.map); });
    });
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%";
  }

  function districtLabel(feature, layer) {
    var adcode = feature.properties.adcode;
    labelDistrict(layer, feature, "gw-map-label gw-label-" + adcode, false);
    bindTip(layer, districtName(feature), function () {
      var hideout = latest.districts || {};
      return [(hideout.tip ? hideout.tip + " " : "") + percent((hideout.rates || {})[adcode])];
    });
  }

  function stationRadius(tonnes, max) {
    if (!max || !tonnes) { return 3; }
    return 3 + 11 * Math.sqrt(tonnes / max);
  }

  function stationStyle(feature, context) {
    var hideout = remember("points", context && context.hideout);
    var tonnes = (hideout.sizes || {})[feature.properties.id] || 0;
    var fill = (hideout.colours || {})[feature.properties.id];  /* a point's own, if given */
    return {
      radius: stationRadius(tonnes, hideout.max),
      color: fill ? "#ffffff" : "#ffe08a", weight: 1, fillColor: fill || "#ffc145",
      fillOpacity: 0.85,
      className: "gw-station"
    };
  }

  function stationMarker(feature, latlng, context) {
    var style = stationStyle(feature, context);
    return L.circleMarker(latlng, style);
  }

  /* A point's name in the page's language, where its feature carries an English one. */
  function pointName(feature, layer) {
    var p = feature.properties;
    var page = layer._map ? layer._map.getContainer().closest("[lang]") : null;
    var english = (page || document.documentElement).lang === "en";
    return english && p.name_en ? p.name_en : p.name;
  }

  function stationLabel(feature, layer) {
    var id = feature.properties.id;
    layer.bindTooltip(function () {
      var hideout = latest.points || {};
      var value = (hideout.sizes || {})[id];
      var figure = value === undefined || value === null ? "—"
        : number(value, Number.isInteger(value) ? 0 : 1);
      return tipText(pointName(feature, layer),
                     [(hideout.tip ? hideout.tip + " " : "") + figure +
                      (hideout.unit ? " " + hideout.unit : "")]);
    }, Object.assign({ sticky: true }, TIP));
  }

  window.greenwall = Object.assign({}, window.greenwall, {
    map: {
      districtStyle: districtStyle,
      districtHover: districtHover,
      districtLabel: districtLabel,
      refit: refit,
      track: track,
      textLabel: textLabel,
      remember: remember,
      latest: latest,
      bindTip: bindTip,
      bindRestingTip: bindRestingTip,
      number: number,
      labelDistrict: labelDistrict,
      placeLabels: placeLabels,
      stationStyle: stationStyle,
      stationMarker: stationMarker,
      stationLabel: stationLabel
    }
  });
})();
